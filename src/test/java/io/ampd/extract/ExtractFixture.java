package io.ampd.extract;

import io.ampd.config.PgUrl;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import io.ampd.worker.JobContext;
import io.ampd.worker.StopSignal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One extraction setup: a fresh metadata database (migrated; dataset, manifest and job rows made
 * with plain SQL), a data dir, and a {@link FakeEvmNode}. Closing stops the node and pool.
 */
final class ExtractFixture implements AutoCloseable {
  static final DatasetRef DATASET = new DatasetRef("test", "chain", "1.0.0");

  final FakeEvmNode node;
  final MetadataDb db;
  final Path dataDir;
  final Stop stop = new Stop();
  long jobId;

  ExtractFixture(long head) throws Exception {
    this(FakeEvmNode.start(new SyntheticChain(42), head, 2));
  }

  ExtractFixture(FakeEvmNode node) throws Exception {
    this.node = node;
    PgUrl url = TestPostgres.shared().createDatabase("extract");
    Migrations.migrate(url, line -> {});
    this.db = MetadataDb.open(url, 4, "extract-test");
    this.dataDir = TempDirs.create("extract-data");
    this.jobId = createJob("job-1");
  }

  long createJob(String key) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      c.createStatement()
          .execute(
              "INSERT INTO manifests (hash, kind, content) VALUES ('h1', 'evm-rpc', '{}')"
                  + " ON CONFLICT DO NOTHING");
      c.createStatement()
          .execute(
              "INSERT INTO datasets (namespace, name, version, manifest_hash)"
                  + " VALUES ('test', 'chain', '1.0.0', 'h1') ON CONFLICT DO NOTHING");
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO jobs (idempotency_key, dataset_namespace, dataset_name,"
                  + " dataset_version, status) VALUES (?, 'test', 'chain', '1.0.0', 'RUNNING')"
                  + " RETURNING id")) {
        s.setString(1, key);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          return r.getLong(1);
        }
      }
    }
  }

  /** Runs one statement; SQL errors come back as IllegalStateException. */
  void execute(String sql) {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  ProviderConfig provider(int batchSize, int concurrency) {
    return new ProviderConfig(
        "fake",
        DatasetKind.EVM_RPC.kindName(),
        node.url(),
        "testnet",
        concurrency,
        batchSize,
        Duration.ofSeconds(2),
        new RetryPolicy(6, Duration.ofMillis(10), Duration.ofMillis(100)));
  }

  static EvmRpcManifest manifest(long start, OptionalLong end, int confirmations) {
    return new EvmRpcManifest(
        "testnet",
        start,
        end,
        confirmations,
        List.of(EvmTable.BLOCKS, EvmTable.TRANSACTIONS, EvmTable.LOGS));
  }

  JobContext context(EvmRpcManifest manifest, ProviderConfig provider, int segmentBlocks) {
    return new JobContext(
        jobId,
        "node-1",
        DATASET,
        manifest,
        provider,
        db.dataSource(),
        dataDir,
        segmentBlocks,
        stop);
  }

  Path tableDir(String table) {
    return dataDir.resolve(Layout.revisionPath(DATASET, table, jobId));
  }

  /** The names of the files in {@code dir}, sorted; none if there is no such folder. */
  static List<String> fileNames(Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.isDirectory(dir)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Override
  public void close() {
    node.close();
    db.close();
  }

  /** A stop signal the test sets. */
  static final class Stop implements StopSignal {
    private final CountDownLatch latch = new CountDownLatch(1);

    void request() {
      latch.countDown();
    }

    @Override
    public boolean stopRequested() {
      return latch.getCount() == 0;
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
      return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
