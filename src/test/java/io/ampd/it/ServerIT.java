package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.PgUrl;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.SyntheticChain.Block;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import java.io.InputStream;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server as a process of its own: {@code ampd server} against an external PostgreSQL beside
 * {@code ampd controller} and {@code ampd worker}, answering from the files the worker wrote; and a
 * result many times the server's heap, streamed while the process's memory stays flat.
 */
class ServerIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LAST_BLOCK = 1_999;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AmpdProcess> processes = new ArrayList<>();
  private final SyntheticChain chain = new SyntheticChain(3);
  private Path base;
  private PgUrl url;
  private Path config;
  private FakeEvmNode node;

  @BeforeEach
  void setUp() throws Exception {
    base = TempDirs.create("ampd-it-server");
    url = TestPostgres.shared().createDatabase("serverit");
    node = FakeEvmNode.start(chain, LAST_BLOCK + 10, 2);
    Files.createDirectories(base.resolve("providers"));
    Files.createDirectories(base.resolve("manifests"));
    Files.writeString(
        base.resolve("providers/local.toml"),
        "name = \"local\"\nkind = \"evm-rpc\"\nnetwork = \"testnet\"\nurl = \""
            + node.url()
            + "\"\n");
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
            + "[worker]\nheartbeat_interval_ms = 200\nreconcile_interval_ms = 500\n"
            + "segment_blocks = 500\n");
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

  /** Controller and worker extract the chain; returns the controller's admin port. */
  private int extract() throws Exception {
    int admin = AmpdProcess.freePort();
    AmpdProcess controller = start(AmpdProcess.envWithAdminPort(admin), "controller");
    controller.awaitHealthy(admin, START);
    AmpdProcess worker = start(Map.of(), "worker", "--node-id", "w1");
    HttpResponse<String> deployed =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + admin + "/datasets/it/chain/versions/1/deploy"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, deployed.statusCode(), deployed.body());
    worker.await(
        "job 1 completed",
        Duration.ofSeconds(120),
        () -> {
          AmpdProcess.HttpResult r = AmpdProcess.get(admin, "/jobs/1");
          return r.status() == 200
              && JSON.readTree(r.body()).path("status").asText().equals("COMPLETED");
        });
    return admin;
  }

  private HttpResponse<String> jsonl(String addr, String sql) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + addr + "/"))
            .POST(HttpRequest.BodyPublishers.ofString(sql))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theServerProcessAnswersFromTheFilesTheWorkerWrote() throws Exception {
    extract();
    Map<String, String> env = AmpdProcess.envWithAdminPort(AmpdProcess.freePort());
    String jsonl = env.get("AMP_CONFIG_JSONL_ADDR");
    AmpdProcess server = start(env, "server");
    server.await(
        "the server's JSON Lines endpoint answers",
        START,
        () -> {
          try {
            return http.send(
                        HttpRequest.newBuilder(URI.create("http://" + jsonl + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
          } catch (java.io.IOException e) {
            return false;
          }
        });
    long txs = 0;
    long logs = 0;
    for (long n = 0; n <= LAST_BLOCK; n++) {
      Block b = chain.block(n);
      txs += b.transactions().size();
      logs += b.logs().size();
    }
    HttpResponse<String> r =
        jsonl(
            jsonl,
            "SELECT (SELECT count(*) FROM \"it/chain\".blocks) AS blocks,"
                + " (SELECT count(*) FROM \"it/chain@1\".transactions) AS txs,"
                + " (SELECT count(*) FROM \"it/chain\".logs) AS logs");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode counts = JSON.readTree(r.body());
    assertEquals(LAST_BLOCK + 1, counts.get("blocks").asLong(), r.body());
    assertEquals(txs, counts.get("txs").asLong(), r.body());
    assertEquals(logs, counts.get("logs").asLong(), r.body());

    String flight = env.get("AMP_CONFIG_FLIGHT_ADDR");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:arrow-flight-sql://" + flight + "/?useEncryption=false");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT hash FROM \"it/chain\".blocks WHERE block_num = 1234")) {
      assertTrue(rs.next());
      assertEquals(
          chain.blockHash(1234), "0x" + java.util.HexFormat.of().formatHex(rs.getBytes(1)));
    }
    assertTrue(
        server.stderr().contains("query endpoints: Arrow Flight SQL on " + flight),
        server.stderr());

    server.signal("TERM");
    assertEquals(0, server.waitFor(Duration.ofSeconds(20)), server.stderr());
  }

  private static long rss(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new AssertionError("no VmRSS for " + pid);
  }

  @Test
  void aResultManyTimesTheHeapStreamsInFlatMemory() throws Exception {
    extract();
    int heapMb = 64;
    Map<String, String> env = AmpdProcess.envWithAdminPort(AmpdProcess.freePort());
    env.put("AMP_CONFIG_SERVER__MAX_MEM_MB", "256");
    String jsonl = env.get("AMP_CONFIG_JSONL_ADDR");
    List<String> command = AmpdProcess.javaCommand();
    command.replaceAll(a -> a.startsWith("-Xmx") ? "-Xmx" + heapMb + "m" : a);
    command.addAll(List.of("--config", config.toString(), "server", "--jsonl-server"));
    AmpdProcess server = AmpdProcess.startCommand(base, env, command);
    processes.add(server);
    server.await(
        "the server answers",
        START,
        () -> {
          try {
            return jsonl(jsonl, "SELECT 1").statusCode() == 200;
          } catch (java.io.IOException e) {
            return false;
          }
        });
    long txs = 0;
    for (long n = 0; n <= LAST_BLOCK; n++) {
      txs += chain.block(n).transactions().size();
    }
    int copies = 250;
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + jsonl + "/"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "SELECT t.*, c.range AS copy FROM \"it/chain\".transactions t, range("
                            + copies
                            + ") c"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    long bytes = 0;
    long lines = 0;
    long early = -1;
    long peak = 0;
    long nextSample = 64L << 20;
    try (InputStream in = r.body()) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            lines++;
          }
        }
        bytes += n;
        if (bytes >= nextSample) {
          long now = rss(server.pid());
          if (early < 0 && bytes >= 128L << 20) {
            early = now;
          }
          peak = Math.max(peak, now);
          nextSample += 64L << 20;
        }
      }
    }
    assertEquals(txs * copies, lines);
    long heap = (long) heapMb << 20;
    assertTrue(bytes > 10 * heap, "streamed " + bytes + " bytes, not many times the heap");
    System.out.printf(
        "streamed %d MiB (%d× the %d MiB heap): server RSS %d MiB after 128 MiB, at most %d MiB%n",
        bytes >> 20, bytes / heap, heapMb, early >> 20, peak >> 20);
    assertTrue(
        peak - early < 96L << 20,
        "memory grew with the result: " + (early >> 20) + " MiB -> " + (peak >> 20) + " MiB");
    server.signal("TERM");
    assertEquals(0, server.waitFor(Duration.ofSeconds(20)), server.stderr());
  }

  @Test
  void aTakenPortFailsTheStartBeforeAnythingIsCreated() throws Exception {
    Path ampDir = base.resolve("fresh-amp-dir");
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Map<String, String> env = AmpdProcess.envWithAdminPort(AmpdProcess.freePort());
      env.put("AMP_CONFIG_JSONL_ADDR", "127.0.0.1:" + taken.getLocalPort());
      AmpdProcess.Result r =
          AmpdProcess.run(
              base, env, Duration.ofSeconds(30), "--amp-dir", ampDir.toString(), "solo");
      assertEquals(1, r.exitCode(), r.toString());
      assertTrue(
          r.stderr()
              .contains(
                  "error: cannot listen on 127.0.0.1:"
                      + taken.getLocalPort()
                      + " for the JSON Lines endpoint: Address already in use\n"
                      + "hint: stop the process using that address, or set jsonl_addr"),
          r.stderr());
      assertTrue(!r.stderr().contains("\tat "), r.stderr());
    }
    assertTrue(!Files.exists(ampDir), "the amp dir was created: nothing may be, before the check");
  }

  @Test
  void soloRunsOnlyTheEndpointsItIsGiven() throws Exception {
    int admin = AmpdProcess.freePort();
    Map<String, String> env = AmpdProcess.envWithAdminPort(admin);
    String jsonl = env.get("AMP_CONFIG_JSONL_ADDR");
    String flight = env.get("AMP_CONFIG_FLIGHT_ADDR");
    AmpdProcess solo =
        AmpdProcess.start(
            base, env, "--amp-dir", base.resolve("amp").toString(), "solo", "--jsonl-server");
    processes.add(solo);
    solo.await(
        "solo ready",
        START,
        () -> solo.stderr().contains("ampd solo") && solo.stderr().contains(" ready in "));
    assertEquals(200, jsonl(jsonl, "SELECT 1").statusCode());
    for (String closed : List.of("127.0.0.1:" + admin, flight)) {
      String[] hp = closed.split(":");
      assertTrue(
          !canConnect(hp[0], Integer.parseInt(hp[1])), closed + " listens: " + solo.stderr());
    }
    solo.signal("TERM");
    assertEquals(0, solo.waitFor(Duration.ofSeconds(30)), solo.stderr());
  }

  /**
   * The query engine (DuckDB) loads at the first query, not at start: its JDBC driver, loaded as
   * soon as anything in the JVM uses java.sql.DriverManager, starts Java Flight Recorder's classes.
   */
  @Test
  void aReadySoloHasNotLoadedTheQueryEngine() throws Exception {
    int admin = AmpdProcess.freePort();
    Map<String, String> env = AmpdProcess.envWithAdminPort(admin);
    Path classes = base.resolve("classes.log");
    List<String> command = AmpdProcess.javaCommand();
    command.add(1, "-Xlog:class+load=info:file=" + classes);
    command.addAll(List.of("--amp-dir", base.resolve("amp").toString(), "solo"));
    AmpdProcess solo = AmpdProcess.startCommand(base, env, command);
    processes.add(solo);
    solo.await(
        "solo ready",
        START,
        () -> solo.stderr().contains("ampd solo") && solo.stderr().contains(" ready in "));
    String atReady = Files.readString(classes);
    assertTrue(atReady.contains("io.ampd.app.Daemon "), "the class log is not being written");
    assertTrue(!atReady.contains("org.duckdb."), "DuckDB loaded before any query");
    assertTrue(!atReady.contains("jdk.jfr."), "Flight Recorder loaded before any query");
    assertEquals(200, jsonl(env.get("AMP_CONFIG_JSONL_ADDR"), "SELECT 1").statusCode());
    solo.await(
        "DuckDB loaded by the first query",
        START,
        () -> Files.readString(classes).contains("org.duckdb.DuckDBConnection "));
    solo.signal("TERM");
    assertEquals(0, solo.waitFor(Duration.ofSeconds(30)), solo.stderr());
  }

  private static boolean canConnect(String host, int port) {
    try (java.net.Socket s = new java.net.Socket(host, port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
