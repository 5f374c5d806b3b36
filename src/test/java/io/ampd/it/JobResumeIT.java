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
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /jobs/{id}/resume} against a real {@code ampd solo}: a STOPPED job and a job in ERROR
 * (its retry an hour away) each continue from the job's recorded block, and every block is in the
 * files once. The test node's head decides how far the job can go, so nothing depends on timing.
 */
class JobResumeIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LAST_BLOCK = 2_999;

  private final HttpClient http = HttpClient.newHttpClient();
  private Path base;
  private FakeEvmNode node;
  private AmpdProcess solo;
  private int admin;
  private String jsonl;

  @BeforeEach
  void setUp() throws Exception {
    base = TempDirs.create("ampd-it-resume");
    PgUrl url = TestPostgres.shared().createDatabase("resumeit");
    node = FakeEvmNode.start(new SyntheticChain(5), 999, 2);
    Files.createDirectories(base.resolve("providers"));
    Files.createDirectories(base.resolve("manifests"));
    // One try per request: a failing node puts the job in ERROR at once.
    Files.writeString(
        base.resolve("providers/local.toml"),
        "name = \"local\"\nkind = \"evm-rpc\"\nnetwork = \"testnet\"\nurl = \""
            + node.url()
            + "\"\n[retry]\nmax_attempts = 1\n");
    Files.writeString(
        base.resolve("manifests/chain.json"),
        "{\"namespace\": \"it\", \"name\": \"chain\", \"version\": \"1\", \"manifest\":"
            + " {\"kind\": \"evm-rpc\", \"network\": \"testnet\", \"start_block\": 0,"
            + " \"end_block\": "
            + LAST_BLOCK
            + "}}");
    Path config = base.resolve("config.toml");
    // The controller would retry a job in ERROR only after an hour: a resume is what moves it.
    Files.writeString(
        config,
        "data_dir = \"data\"\nproviders_dir = \"providers\"\nmanifests_dir = \"manifests\"\n"
            + "[metadata_db]\nurl = \""
            + url.psqlUrl()
            + "\"\nauto_migrate = true\n"
            + "[controller]\nretry_initial_backoff_ms = 3600000\n"
            + "[worker]\nheartbeat_interval_ms = 200\nreconcile_interval_ms = 500\n"
            + "segment_blocks = 500\n");
    admin = AmpdProcess.freePort();
    Map<String, String> env = AmpdProcess.envWithAdminPort(admin);
    jsonl = env.get("AMP_CONFIG_JSONL_ADDR");
    solo = AmpdProcess.start(base, env, "--config", config.toString(), "solo");
    solo.awaitHealthy(admin, WAIT);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (solo != null) {
      solo.close();
    }
    node.close();
    TempDirs.deleteRecursively(base);
  }

  @Test
  void stoppedAndErrorJobsContinueFromTheirRecordedBlock() throws Exception {
    assertEquals(202, send("POST", "/datasets/it/chain/versions/1/deploy").statusCode());
    awaitRecorded(999);

    assertTrue(send("PUT", "/jobs/1/stop").statusCode() < 300);
    awaitStatus("STOPPED");
    node.setHead(1_999);
    HttpResponse<String> resumed = send("PUT", "/jobs/1/resume");
    assertEquals(200, resumed.statusCode(), resumed.body());
    awaitRecorded(1_999);
    assertTrue(solo.stderr().contains("resuming at block 1000"), solo.stderr());

    // The node fails: with one try per request the job goes to ERROR, to be retried in an hour.
    node.failRequests(Integer.MAX_VALUE, 503);
    node.setHead(LAST_BLOCK);
    awaitStatus("ERROR");
    node.failRequests(0, 503);
    HttpResponse<String> retried = send("PUT", "/jobs/1/resume");
    assertEquals(200, retried.statusCode(), retried.body());
    awaitStatus("COMPLETED");
    assertTrue(solo.stderr().contains("resuming at block 2000"), solo.stderr());

    HttpResponse<String> counts =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + jsonl + "/"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "SELECT count(*) AS n, count(DISTINCT block_num) AS d, min(block_num) AS"
                            + " lo, max(block_num) AS hi FROM \"it/chain\".blocks"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, counts.statusCode(), counts.body());
    JsonNode row = JSON.readTree(counts.body());
    assertEquals(LAST_BLOCK + 1, row.get("n").asLong(), counts.body());
    assertEquals(LAST_BLOCK + 1, row.get("d").asLong(), counts.body());
    assertEquals(0, row.get("lo").asLong());
    assertEquals(LAST_BLOCK, row.get("hi").asLong());

    // A stop as users do it (the JVM then removes its temporary native libraries too).
    solo.signal("TERM");
    assertEquals(0, solo.waitFor(WAIT), solo.stderr());
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void awaitStatus(String status) throws Exception {
    solo.await("job 1 " + status, WAIT, () -> job().path("status").asText().equals(status));
  }

  /** Waits until every table of job 1 has recorded {@code block} as its last. */
  private void awaitRecorded(long block) throws Exception {
    solo.await(
        "job 1 recorded up to block " + block,
        WAIT,
        () -> {
          JsonNode tables = JSON.readTree(send("GET", "/jobs/1/progress").body()).path("tables");
          if (tables.size() != 3) {
            return false;
          }
          for (JsonNode t : tables) {
            if (t.path("current_block").asLong(-1) != block) {
              return false;
            }
          }
          return true;
        });
  }

  private JsonNode job() throws Exception {
    return JSON.readTree(send("GET", "/jobs/1").body());
  }
}
