package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.PgUrl;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several ampd processes against one database: {@code ampd controller} and two {@code ampd
 * worker}s. A worker killed with SIGKILL loses its job to the other one; a second worker with a
 * node id in use exits 1. The chain is served by a {@link FakeEvmNode} in this JVM, slowed down so
 * that the kill lands mid-extraction; the Parquet files are read back with DuckDB.
 */
class ClusterIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LAST_BLOCK = 2_999;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AmpdProcess> processes = new ArrayList<>();
  private Path base;
  private PgUrl url;
  private Path config;
  private FakeEvmNode node;

  @BeforeEach
  void setUp() throws Exception {
    base = TempDirs.create("ampd-it-cluster");
    url = TestPostgres.shared().createDatabase("cluster");
    node = FakeEvmNode.start(new SyntheticChain(7), LAST_BLOCK + 10, 2);
    Files.createDirectories(base.resolve("providers"));
    Files.createDirectories(base.resolve("manifests"));
    Files.writeString(
        base.resolve("providers/local.toml"),
        "name = \"local\"\nkind = \"evm-rpc\"\nnetwork = \"testnet\"\n"
            + "url = \""
            + node.url()
            + "\"\nconcurrency = 1\nbatch_size = 10\n");
    Files.writeString(
        base.resolve("manifests/chain.json"),
        "{\"namespace\": \"it\", \"name\": \"chain\", \"version\": \"1\", \"manifest\":"
            + " {\"kind\": \"evm-rpc\", \"network\": \"testnet\", \"start_block\": 0,"
            + " \"end_block\": "
            + LAST_BLOCK
            + "}}");
    config = base.resolve("config.toml");
    Files.writeString(
        config,
        "data_dir = \"data\"\nproviders_dir = \"providers\"\nmanifests_dir = \"manifests\"\n"
            + "[metadata_db]\nurl = \""
            + url.psqlUrl()
            + "\"\nauto_migrate = true\n"
            + "[controller]\nworker_timeout_secs = 2\nretry_initial_backoff_ms = 200\n"
            + "[worker]\nheartbeat_interval_ms = 200\nreconcile_interval_ms = 500\n"
            + "segment_blocks = 100\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AmpdProcess p : processes) {
      p.close();
    }
    node.close();
    TempDirs.deleteRecursively(base);
  }

  private AmpdProcess start(Map<String, String> env, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    AmpdProcess p = AmpdProcess.start(base, env, all.toArray(String[]::new));
    processes.add(p);
    return p;
  }

  private AmpdProcess worker(String nodeId) throws Exception {
    return start(Map.of(), "worker", "--node-id", nodeId);
  }

  private String query(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      StringBuilder out = new StringBuilder();
      while (rs.next()) {
        out.append(out.length() == 0 ? "" : ",").append(rs.getString(1));
      }
      return out.toString();
    }
  }

  private void awaitLive(String nodeId, AmpdProcess p) throws Exception {
    await(
        "worker " + nodeId + " registered",
        p,
        () -> {
          try {
            return query(
                    "SELECT count(*) FROM workers WHERE node_id = '"
                        + nodeId
                        + "' AND stopped_at IS NULL AND heartbeat_at > now() - interval '1 second'")
                .equals("1");
          } catch (Exception e) {
            return false; // not migrated yet
          }
        });
  }

  private static void await(String what, AmpdProcess watched, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what + "\n" + watched.stderr());
      }
      Thread.sleep(50);
    }
  }

  private JsonNode post(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void aKilledWorkersJobMovesToTheOtherWorkerAndEveryBlockIsWrittenOnce() throws Exception {
    int port = AmpdProcess.freePort();
    AmpdProcess controller = start(AmpdProcess.envWithAdminPort(port), "controller");
    controller.awaitHealthy(port, START);
    Map<String, AmpdProcess> workers = Map.of("a", worker("a"), "b", worker("b"));
    awaitLive("a", workers.get("a"));
    awaitLive("b", workers.get("b"));

    node.delayRequests(Integer.MAX_VALUE, Duration.ofMillis(5));
    JsonNode job = post(port, "/datasets/it/chain/versions/1/deploy");
    long id = job.get("job_id").asLong();
    String first = job.get("job").get("node_id").asText();
    String other = first.equals("a") ? "b" : "a";
    await(
        "job " + id + " has recorded some blocks",
        controller,
        () -> {
          JsonNode p = get(port, "/jobs/" + id + "/progress");
          return p != null
              && p.get("tables").size() == 3
              && p.get("tables").path("blocks").path("current_block").asLong(-1) >= 300;
        });
    JsonNode before = get(port, "/jobs/" + id + "/progress");
    assertTrue(
        before.get("tables").get("blocks").get("current_block").asLong() < LAST_BLOCK,
        "killed mid-extraction: " + before);
    workers.get(first).signal("KILL");
    workers.get(first).waitFor(Duration.ofSeconds(10));

    await(
        "job " + id + " completed on " + other,
        controller,
        () -> {
          JsonNode j = get(port, "/jobs/" + id);
          return j != null && j.path("status").asText().equals("COMPLETED");
        });
    JsonNode done = get(port, "/jobs/" + id);
    assertEquals(other, done.get("node_id").asText(), done.toString());
    List<String> types = new ArrayList<>();
    JsonNode events = get(port, "/jobs/" + id + "/events").get("events");
    events.forEach(e -> types.add(e.get("type").asText()));
    assertEquals(List.of("scheduled", "started", "rescheduled", "started", "completed"), types);
    assertEquals(first, events.get(2).get("detail").get("from_node_id").asText());

    assertExactlyOnce(id);
    JsonNode progress = get(port, "/jobs/" + id + "/progress");
    for (JsonNode table : progress.get("tables")) {
      assertEquals(LAST_BLOCK, table.get("current_block").asLong(), progress.toString());
      assertEquals(30, table.get("files_count").asLong(), progress.toString());
    }

    JsonNode list = get(port, "/workers");
    for (JsonNode w : list.get("workers")) {
      assertEquals(
          w.get("node_id").asText().equals(other), w.get("live").asBoolean(), list.toString());
    }
    AmpdProcess survivor = workers.get(other);
    survivor.signal("TERM");
    assertEquals(0, survivor.waitFor(Duration.ofSeconds(20)), survivor.stderr());
    assertEquals(
        "t", query("SELECT stopped_at IS NOT NULL FROM workers WHERE node_id = '" + other + "'"));
  }

  /**
   * Every block once in each table, no gap, no duplicate; the files on disk are exactly the
   * recorded ones, and the recorded block ranges tile 0..LAST_BLOCK.
   */
  private void assertExactlyOnce(long jobId) throws Exception {
    Path data = base.resolve("data");
    for (String table : List.of("blocks", "transactions", "logs")) {
      String path =
          query(
              "SELECT path FROM table_revisions WHERE writer = "
                  + jobId
                  + " AND table_name = '"
                  + table
                  + "'");
      Path dir = data.resolve(path);
      List<String> onDisk;
      try (var files = Files.list(dir)) {
        onDisk = files.map(f -> f.getFileName().toString()).sorted().toList();
      }
      String recorded =
          query(
              "SELECT f.file_name FROM files f JOIN table_revisions r"
                  + " ON r.id = f.revision_id WHERE r.path = '"
                  + path
                  + "' ORDER BY f.file_name");
      assertEquals(recorded, String.join(",", onDisk), table);
      assertEquals(
          "0," + LAST_BLOCK + ",true",
          query(
              "SELECT min(block_start) || ',' || max(block_end) || ',' || bool_and(block_start ="
                  + " prev + 1) FROM (SELECT block_start, block_end, coalesce(lag(block_end) OVER"
                  + " (ORDER BY block_start), -1) AS prev FROM files f JOIN table_revisions r ON"
                  + " r.id = f.revision_id WHERE r.path = '"
                  + path
                  + "') t"),
          table + " ranges tile the chain");
    }
    String blocks =
        duck(
            "SELECT count(*) || ',' || count(DISTINCT block_num) || ',' ||"
                + " min(block_num) || ',' || max(block_num) || ',' || sum(transaction_count)"
                + " FROM read_parquet('"
                + glob(jobId, "blocks")
                + "')");
    String[] b = blocks.split(",");
    assertEquals(
        List.of("3000", "3000", "0", String.valueOf(LAST_BLOCK)),
        List.of(b[0], b[1], b[2], b[3]),
        "blocks: count, distinct, min, max");
    assertEquals(
        b[4] + "," + b[4],
        duck(
            "SELECT count(*) || ',' || count(DISTINCT (block_num,"
                + " tx_index)) FROM read_parquet('"
                + glob(jobId, "transactions")
                + "')"),
        "one row per transaction the blocks announce");
    String logs =
        duck(
            "SELECT count(*) || ',' || count(DISTINCT (block_num, log_index))"
                + " FROM read_parquet('"
                + glob(jobId, "logs")
                + "')");
    assertEquals(logs.split(",")[0], logs.split(",")[1], "no duplicate log");
    assertTrue(Long.parseLong(logs.split(",")[0]) > 0, "the chain has logs");

    // Receipts: every transaction's once, each with its status and gas used, as the chain has
    // them; every log once, as the receipts have them.
    long txs = 0;
    long reverted = 0;
    long gasUsed = 0;
    long chainLogs = 0;
    for (long n = 0; n <= LAST_BLOCK; n++) {
      SyntheticChain.Block block = node.chain().block(n);
      for (SyntheticChain.Tx tx : block.transactions()) {
        txs++;
        reverted += tx.status() ? 0 : 1;
        gasUsed += tx.gasUsed();
      }
      chainLogs += block.logs().size();
    }
    assertEquals(
        txs + "," + txs + "," + txs + "," + reverted + "," + gasUsed,
        duck(
            "SELECT count(*) || ',' || count(DISTINCT (block_num, tx_index)) || ',' ||"
                + " count(*) FILTER (WHERE status IS NOT NULL AND gas_used IS NOT NULL"
                + " AND cumulative_gas_used IS NOT NULL) || ',' ||"
                + " count(*) FILTER (WHERE NOT status) || ',' || sum(gas_used)"
                + " FROM read_parquet('"
                + glob(jobId, "transactions")
                + "')"),
        "transactions: count, distinct, with receipt, reverted, gas used");
    assertEquals(chainLogs + "," + chainLogs, logs, "logs: count, distinct");
  }

  private String glob(long jobId, String table) throws Exception {
    return base.resolve("data")
        .resolve(
            query(
                "SELECT path FROM table_revisions WHERE writer = "
                    + jobId
                    + " AND table_name = '"
                    + table
                    + "'"))
        .resolve("*.parquet")
        .toString();
  }

  private static String duck(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void aSecondWorkerWithTheSameNodeIdExits1() throws Exception {
    AmpdProcess first = worker("w1");
    awaitLive("w1", first);

    AmpdProcess second = worker("w1");
    assertEquals(1, second.waitFor(START), second.stderr());
    assertTrue(
        second
            .stderr()
            .startsWith(
                "error: worker node id 'w1' is already in use by another running worker\n"
                    + "hint: stop that worker first, or give this one another node id with"
                    + " --node-id or AMP_NODE_ID\n"),
        second.stderr());
    assertTrue(first.isAlive());

    first.signal("TERM");
    assertEquals(0, first.waitFor(Duration.ofSeconds(20)), first.stderr());
  }

  private JsonNode get(int port, String path) {
    AmpdProcess.HttpResult r = AmpdProcess.get(port, path);
    if (r.status() != 200) {
      return null;
    }
    try {
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError(r.body(), e);
    }
  }
}
