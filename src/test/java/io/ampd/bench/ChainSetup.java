package io.ampd.bench;

import io.ampd.extract.EvmRpcJobRunner;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.MetadataDb;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.NoStop;
import io.ampd.testing.SyntheticChain;
import io.ampd.worker.JobContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the benchmarks that need extracted data share: the synthetic chain ({@link SyntheticChain}
 * of seed {@value #SEED}) served by {@link EvmNodeMain} in a JVM of its own, a dataset version of
 * its three tables registered in a metadata database as ampd registers one, and jobs of the
 * worker's own {@link EvmRpcJobRunner} extracting it into Parquet files.
 */
final class ChainSetup {
  static final long SEED = 7;
  static final String NETWORK = "bench";
  private static final long NODE_READY_MILLIS = 300_000;

  private ChainSetup() {}

  /**
   * Starts {@link EvmNodeMain} in a JVM of its own with default flags and this classpath, serving
   * blocks up to {@code head} with {@code threads} threads; {@link #nodeUrl} waits for it.
   */
  static Child startNode(Path log, long head, int threads) throws IOException {
    return startJvm(log, EvmNodeMain.class, SEED, head, threads);
  }

  /**
   * Starts {@link RemoteEvmNode} in a JVM of its own with default flags and this classpath: blocks
   * up to {@code head} pre-rendered, each answer held back {@code latencyMillis}, served by {@code
   * threads} threads; {@link #nodeUrl} waits for it (rendering takes a while).
   */
  static Child startRemoteNode(Path log, long head, int threads, long latencyMillis)
      throws IOException {
    return startJvm(log, RemoteEvmNode.class, SEED, head, threads, latencyMillis);
  }

  /** {@code main} in a JVM of its own with default flags and this classpath. */
  private static Child startJvm(Path log, Class<?> main, long... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    for (long a : args) {
      command.add(Long.toString(a));
    }
    return Child.start(command, Map.of(), log);
  }

  /** Waits for the node's ready line (of either node) and returns its URL. */
  static String nodeUrl(Child node) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + NODE_READY_MILLIS * 1_000_000;
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(node.log(), StandardCharsets.UTF_8)) {
        for (String ready : List.of(EvmNodeMain.READY, RemoteEvmNode.READY)) {
          if (line.startsWith(ready)) {
            return line.substring(ready.length()).trim();
          }
        }
      }
      if (!node.isAlive()) {
        throw new BenchException("the node (pid " + node.pid() + ") exited", node.logTail());
      }
      Thread.sleep(20);
    }
    throw new BenchException(
        "the node (pid " + node.pid() + ") printed no URL within " + NODE_READY_MILLIS + " ms",
        node.logTail());
  }

  /** The node as a provider of {@link #NETWORK}, with this batch size and concurrency. */
  static ProviderConfig provider(String url, int batch, int concurrency) {
    return new ProviderConfig(
        "bench",
        DatasetKind.EVM_RPC.kindName(),
        url,
        NETWORK,
        concurrency,
        batch,
        Duration.ofSeconds(10),
        new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2)));
  }

  /** The manifest of blocks {@code first..last} of the three tables, on {@link #NETWORK}. */
  static EvmRpcManifest manifest(long first, long last) {
    return new EvmRpcManifest(
        NETWORK,
        first,
        OptionalLong.of(last),
        0,
        List.of(EvmTable.BLOCKS, EvmTable.TRANSACTIONS, EvmTable.LOGS));
  }

  /**
   * Registers {@code ref} with the manifest of blocks {@code first..last}, as ampd registers a
   * dataset version (the query server reads its tables from that manifest).
   */
  static void register(MetadataDb db, DatasetRef ref, long first, long last) {
    new DatasetRepository(db.dataSource())
        .register(new DatasetRegistration(ref, manifest(first, last)));
  }

  /**
   * Runs a new job ({@code key}, its idempotency key) of the registered dataset {@code ref} over
   * blocks {@code first..last} to its end, into files of {@code segment} blocks below {@code
   * dataDir}, then marks it completed, as the worker would (a finished job frees the dataset for
   * the next). The first job of a dataset writes its active table revisions. Returns its id.
   */
  static long extract(
      MetadataDb db,
      Path dataDir,
      ProviderConfig provider,
      DatasetRef ref,
      String key,
      long first,
      long last,
      int segment)
      throws Exception {
    return extract(db, dataDir, provider, ref, key, first, last, segment, false);
  }

  /**
   * As {@link #extract(MetadataDb, Path, ProviderConfig, DatasetRef, String, long, long, int)};
   * {@code fresh}: as a redump, into new revisions of its own, so that a job over blocks an earlier
   * job wrote extracts them again (a plain job continues the active revisions and would find them
   * done).
   */
  static long extract(
      MetadataDb db,
      Path dataDir,
      ProviderConfig provider,
      DatasetRef ref,
      String key,
      long first,
      long last,
      int segment,
      boolean fresh)
      throws Exception {
    long jobId = createJob(db, ref, key, fresh);
    new EvmRpcJobRunner()
        .run(
            new JobContext(
                jobId,
                "bench",
                ref,
                manifest(first, last),
                provider,
                db.dataSource(),
                dataDir,
                segment,
                NoStop.NEVER));
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("UPDATE jobs SET status = 'COMPLETED' WHERE id = ?")) {
      s.setLong(1, jobId);
      s.executeUpdate();
    }
    return jobId;
  }

  private static long createJob(MetadataDb db, DatasetRef ref, String key, boolean fresh)
      throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO jobs (idempotency_key, dataset_namespace, dataset_name,"
                    + " dataset_version, status, descriptor) VALUES (?, ?, ?, ?, 'RUNNING',"
                    + " ?::jsonb) RETURNING id")) {
      s.setString(5, fresh ? "{\"fresh\": true}" : "{}");
      s.setString(1, key);
      s.setString(2, ref.namespace());
      s.setString(3, ref.name());
      s.setString(4, ref.version());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }
}
