package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.PgUrl;
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
 * node id in use exits 1.
 *
 * <p>Until the extraction runner is wired into the worker, every job ends FATAL with "no runner
 * for kind evm-rpc" (the worker refuses to pretend), so the rescheduling test holds the job on
 * worker {@code a} by pausing it (SIGSTOP) before the deploy, kills it, and checks that the job
 * moves to {@code b} and is run there.
 */
class ClusterIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AmpdProcess> processes = new ArrayList<>();
  private Path base;
  private PgUrl url;
  private Path config;

  @BeforeEach
  void setUp() throws Exception {
    base = TempDirs.create("ampd-it-cluster");
    url = TestPostgres.shared().createDatabase("cluster");
    Files.createDirectories(base.resolve("providers"));
    Files.createDirectories(base.resolve("manifests"));
    Files.writeString(base.resolve("providers/local.toml"),
        "name = \"local\"\nkind = \"evm-rpc\"\nnetwork = \"testnet\"\n"
            + "url = \"http://127.0.0.1:9/\"\n");
    Files.writeString(base.resolve("manifests/chain.json"),
        "{\"namespace\": \"it\", \"name\": \"chain\", \"version\": \"1\", \"manifest\":"
            + " {\"kind\": \"evm-rpc\", \"network\": \"testnet\", \"start_block\": 0,"
            + " \"end_block\": 99}}");
    config = base.resolve("config.toml");
    Files.writeString(config,
        "data_dir = \"data\"\nproviders_dir = \"providers\"\nmanifests_dir = \"manifests\"\n"
            + "[metadata_db]\nurl = \"" + url.psqlUrl() + "\"\nauto_migrate = true\n"
            + "[controller]\nworker_timeout_secs = 2\nretry_initial_backoff_ms = 200\n"
            + "[worker]\nheartbeat_interval_ms = 200\nreconcile_interval_ms = 500\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AmpdProcess p : processes) {
      p.close();
    }
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
    await("worker " + nodeId + " registered", p, () -> {
      try {
        return query("SELECT count(*) FROM workers WHERE node_id = '" + nodeId
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
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void aKilledWorkersJobMovesToTheOtherWorker() throws Exception {
    int port = AmpdProcess.freePort();
    AmpdProcess controller = start(AmpdProcess.envWithAdminPort(port), "controller");
    controller.awaitHealthy(port, START);
    AmpdProcess a = worker("a");
    AmpdProcess b = worker("b");
    awaitLive("a", a);
    awaitLive("b", b);

    a.signal("STOP"); // holds the job: 'a' is chosen (both idle, by name) but cannot start it
    JsonNode job = post(port, "/datasets/it/chain/versions/1/deploy");
    long id = job.get("id").asLong();
    assertEquals("a", job.get("node_id").asText(), job.toString());
    a.signal("KILL");
    a.waitFor(Duration.ofSeconds(10));

    await("job " + id + " moved to b and finished", controller, () -> {
      JsonNode j = get(port, "/jobs/" + id);
      return j != null && "b".equals(j.path("node_id").asText())
          && !j.path("status").asText().equals("SCHEDULED")
          && !j.path("status").asText().equals("RUNNING");
    });
    JsonNode events = get(port, "/jobs/" + id + "/events").get("events");
    List<String> types = new ArrayList<>();
    events.forEach(e -> types.add(e.get("type").asText()));
    assertEquals("scheduled", types.get(0), events.toString());
    assertEquals("rescheduled", types.get(1), events.toString());
    assertEquals("a", events.get(1).get("detail").get("from_node_id").asText());
    assertEquals("b", events.get(1).get("detail").get("node_id").asText());
    assertEquals("started", types.get(2), events.toString());
    assertEquals("b", events.get(2).get("node_id").asText());
    // TODO(wt/extract): with EvmRpcJobRunner wired in, the job COMPLETES on b; then serve the
    // chain from the test JSON-RPC node, kill 'a' mid-extraction instead of pausing it, and
    // assert every block is recorded exactly once.
    JsonNode done = get(port, "/jobs/" + id);
    assertEquals("FATAL", done.get("status").asText(), done.toString());
    assertEquals("no runner for kind evm-rpc", done.get("last_error").asText());

    JsonNode workers = get(port, "/workers");
    assertEquals("a", workers.get("workers").get(0).get("node_id").asText());
    assertEquals(false, workers.get("workers").get(0).get("live").asBoolean());
    assertEquals(true, workers.get("workers").get(1).get("live").asBoolean());

    b.signal("TERM");
    assertEquals(0, b.waitFor(Duration.ofSeconds(20)), b.stderr());
    assertEquals("t", query("SELECT stopped_at IS NOT NULL FROM workers WHERE node_id = 'b'"));
  }

  @Test
  void aSecondWorkerWithTheSameNodeIdExits1() throws Exception {
    AmpdProcess first = worker("w1");
    awaitLive("w1", first);

    AmpdProcess second = worker("w1");
    assertEquals(1, second.waitFor(START), second.stderr());
    assertTrue(second.stderr().startsWith(
        "error: worker node id 'w1' is already in use by another running worker\n"
            + "hint: stop that worker first, or give this one another node id with --node-id or"
            + " AMP_NODE_ID\n"), second.stderr());
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
