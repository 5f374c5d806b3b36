package io.ampd.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.config.HostPort;
import io.ampd.config.PgUrl;
import io.ampd.config.ServerConfig;
import io.ampd.core.Json;
import io.ampd.extract.EvmRpcJobRunner;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.NoStop;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import io.ampd.worker.JobContext;
import io.ampd.worker.StopSignal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A query server over a known chain: a fresh metadata database, a {@link FakeEvmNode} serving
 * {@link SyntheticChain}(42), datasets extracted into a data dir by the worker's own job runner,
 * and a {@link QueryServer} on free ports. Clients: JSON Lines through the JDK's HttpClient, Flight
 * through the Arrow Flight SQL JDBC driver.
 */
final class ServerFixture implements AutoCloseable {
  static final DatasetRef DATASET = new DatasetRef("example", "mainnet", "1.0.0");
  static final String NETWORK = "testnet";

  final SyntheticChain chain = new SyntheticChain(42);
  final FakeEvmNode node;
  final MetadataDb db;
  final Path dataDir;
  final Path spillDir;
  final HttpClient http = HttpClient.newHttpClient();
  QueryServer server;
  private long nextJobKey;

  ServerFixture(long head) throws IOException {
    this.node = FakeEvmNode.start(chain, head, 2);
    PgUrl url = TestPostgres.shared().createDatabase("server");
    Migrations.migrate(url, line -> {});
    this.db = MetadataDb.open(url, 6, "server-test");
    this.dataDir = TempDirs.create("server-data");
    this.spillDir = TempDirs.create("server-spill");
  }

  /** A fixture with blocks 0 to {@code blocks - 1} of {@link #DATASET} extracted, and a server. */
  static ServerFixture extracted(long blocks, int segmentBlocks) throws Exception {
    ServerFixture f = new ServerFixture(blocks - 1);
    try {
      f.register(DATASET, 0, OptionalLong.of(blocks - 1));
      f.extract(DATASET, segmentBlocks, NoStop.NEVER);
      f.startServer(f.config(Duration.ofMinutes(5), 8));
      return f;
    } catch (Exception | Error e) {
      f.close();
      throw e;
    }
  }

  ServerConfig config(Duration timeout, int concurrent) {
    return new ServerConfig(timeout, 1024, 0, 2, concurrent, spillDir);
  }

  /** Starts (or restarts) the server with {@code config}. */
  QueryServer startServer(ServerConfig config) {
    if (server != null) {
      server.close();
    }
    server =
        QueryServer.start(
            config,
            dataDir,
            db.dataSource(),
            new HostPort("127.0.0.1", 0),
            new HostPort("127.0.0.1", 0),
            "test");
    return server;
  }

  void register(DatasetRef ref, long start, OptionalLong end) {
    new DatasetRepository(db.dataSource())
        .register(
            new DatasetRegistration(
                ref,
                new EvmRpcManifest(
                    NETWORK,
                    start,
                    end,
                    0,
                    List.of(EvmTable.BLOCKS, EvmTable.TRANSACTIONS, EvmTable.LOGS))));
  }

  /**
   * Runs a new job of {@code ref} to its end (or until {@code stop}), then marks it COMPLETED;
   * returns its id.
   */
  long extract(DatasetRef ref, int segmentBlocks, StopSignal stop) throws Exception {
    return extract(ref, segmentBlocks, stop, false);
  }

  /**
   * As {@link #extract(DatasetRef, int, StopSignal)}; {@code fresh}: as a redump, into new
   * revisions that replace the active ones once caught up.
   */
  long extract(DatasetRef ref, int segmentBlocks, StopSignal stop, boolean fresh) throws Exception {
    EvmRpcManifest manifest =
        new DatasetRepository(db.dataSource()).find(ref).orElseThrow().manifest();
    long job = createJob(ref, fresh);
    new EvmRpcJobRunner()
        .run(
            new JobContext(
                job,
                "node-1",
                ref,
                manifest,
                provider(),
                db.dataSource(),
                dataDir,
                segmentBlocks,
                stop));
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("UPDATE jobs SET status = 'COMPLETED' WHERE id = ?")) {
      s.setLong(1, job);
      s.executeUpdate();
    }
    return job;
  }

  long createJob(DatasetRef ref) throws SQLException {
    return createJob(ref, false);
  }

  long createJob(DatasetRef ref, boolean fresh) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO jobs (idempotency_key, dataset_namespace, dataset_name,"
                    + " dataset_version, status, descriptor) VALUES (?, ?, ?, ?, 'RUNNING',"
                    + " ?::jsonb) RETURNING id")) {
      s.setString(5, fresh ? "{\"fresh\": true}" : "{}");
      s.setString(1, "test-job-" + (++nextJobKey));
      s.setString(2, ref.namespace());
      s.setString(3, ref.name());
      s.setString(4, ref.version());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  ProviderConfig provider() {
    return new ProviderConfig(
        "fake",
        DatasetKind.EVM_RPC.kindName(),
        node.url(),
        NETWORK,
        4,
        50,
        Duration.ofSeconds(5),
        new RetryPolicy(6, Duration.ofMillis(10), Duration.ofMillis(100)));
  }

  URI jsonlUri() {
    return URI.create("http://127.0.0.1:" + server.jsonlPort() + "/");
  }

  /** POSTs {@code sql} to the JSON Lines endpoint. */
  HttpResponse<String> jsonl(String sql) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(jsonlUri()).POST(HttpRequest.BodyPublishers.ofString(sql)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The rows of {@code sql} through JSON Lines; fails unless the answer is 200. */
  List<JsonNode> rows(String sql) throws IOException, InterruptedException {
    HttpResponse<String> r = jsonl(sql);
    if (r.statusCode() != 200) {
      throw new AssertionError("HTTP " + r.statusCode() + " for " + sql + ": " + r.body());
    }
    List<JsonNode> out = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (!line.isEmpty()) {
        out.add(Json.MAPPER.readTree(line));
      }
    }
    return out;
  }

  /** A connection through the Arrow Flight SQL JDBC driver. */
  Connection flight() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:arrow-flight-sql://127.0.0.1:" + server.flightPort() + "/?useEncryption=false");
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    node.close();
    db.close();
  }
}
