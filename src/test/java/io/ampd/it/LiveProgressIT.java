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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live progress against a real {@code ampd solo} and a slow node: inside one 5,000-block segment
 * the fetched block moves while nothing is committed, the admin API shows it with a rate and an
 * ETA, and the log has the periodic progress line ({@code progress_log_interval_secs} = 1 here
 * instead of 15).
 */
class LiveProgressIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The periodic line, while nothing is committed. */
  private static final Pattern LINE =
      Pattern.compile(
          "job 1: (\\d+) of 5000 blocks done \\(([\\d.]+)%\\), fetched to block (\\d+), committed"
              + " to none; ([\\d.]+) blocks/s over the last minute, ETA (\\d+[dhms][\\dhms]*)");

  private final HttpClient http = HttpClient.newHttpClient();
  private Path base;
  private FakeEvmNode node;
  private AmpdProcess solo;
  private int admin;

  @BeforeEach
  void setUp() throws Exception {
    base = TempDirs.create("ampd-it-progress");
    PgUrl url = TestPostgres.shared().createDatabase("progressit");
    node = FakeEvmNode.start(new SyntheticChain(11), 5_000, 2);
    // Every request answered after 50 ms at the earliest: with batches of 20 blocks, one at a
    // time, at most 400 blocks/s, so the 5,000-block segment takes 12 s or more.
    node.delayRequests(Integer.MAX_VALUE, Duration.ofMillis(50));
    Files.createDirectories(base.resolve("providers"));
    Files.createDirectories(base.resolve("manifests"));
    Files.writeString(
        base.resolve("providers/local.toml"),
        "name = \"local\"\nkind = \"evm-rpc\"\nnetwork = \"testnet\"\nurl = \""
            + node.url()
            + "\"\nconcurrency = 1\nbatch_size = 20\n");
    Files.writeString(
        base.resolve("manifests/chain.json"),
        "{\"namespace\": \"it\", \"name\": \"chain\", \"version\": \"1\", \"manifest\":"
            + " {\"kind\": \"evm-rpc\", \"network\": \"testnet\", \"start_block\": 0,"
            + " \"end_block\": 4999}}");
    Path config = base.resolve("config.toml");
    Files.writeString(
        config,
        "data_dir = \"data\"\nproviders_dir = \"providers\"\nmanifests_dir = \"manifests\"\n"
            + "[metadata_db]\nurl = \""
            + url.psqlUrl()
            + "\"\nauto_migrate = true\n"
            + "[worker]\nheartbeat_interval_ms = 200\nreconcile_interval_ms = 500\n"
            + "segment_blocks = 5000\nprogress_log_interval_secs = 1\n");
    admin = AmpdProcess.freePort();
    solo =
        AmpdProcess.start(
            base, AmpdProcess.envWithAdminPort(admin), "--config", "" + config, "solo");
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
  void progressMovesWithinASegmentAndIsLoggedPeriodically() throws Exception {
    assertEquals(202, send("POST", "/datasets/it/chain/versions/1/deploy").statusCode());

    // Two log lines, the second further on, both with nothing committed.
    solo.await(
        "two progress lines, moving",
        WAIT,
        () ->
            lines().size() >= 2
                && lines().get(lines().size() - 1)[0] > lines().get(0)[0]
                && lines().get(0)[0] > 0);
    for (long[] line : lines()) {
      assertTrue(line[1] == line[0] - 1, "fetched to block done - 1: " + solo.stderr());
      assertTrue(line[2] <= 440, "at most 20 blocks per 50 ms: " + line[2]);
    }

    // The API: the job, its progress and the dataset's show the fetched block moving while the
    // committed one has not, with a rate and an ETA.
    JsonNode first = progress();
    solo.await(
        "the fetched block moves on",
        WAIT,
        () -> progress().path("fetched_block").asLong() > first.path("fetched_block").asLong());
    JsonNode p = progress();
    assertEquals("RUNNING", p.get("job_status").asText(), p.toString());
    assertTrue(p.get("current_block").isNull(), "nothing committed yet: " + p);
    long fetched = p.get("fetched_block").asLong();
    assertTrue(fetched > 0 && fetched < 4_999, p.toString());
    assertEquals(4_999, p.get("target_block").asLong(), p.toString());
    double rate = p.get("blocks_per_second").asDouble();
    assertTrue(rate > 0 && rate <= 440, p.toString());
    long eta = p.get("eta_seconds").asLong();
    assertTrue(
        eta >= (4_999 - fetched) / 440 && eta <= Math.ceil((4_999 - fetched) / rate) + 1,
        p.toString());
    JsonNode blocks = p.get("tables").get("blocks");
    assertTrue(blocks.get("current_block").isNull(), p.toString());
    assertEquals(0, blocks.get("files_count").asLong(), p.toString());
    assertEquals(fetched + 1, blocks.get("segment_rows").asLong(), p.toString());

    JsonNode job = JSON.readTree(send("GET", "/jobs/1").body());
    assertTrue(job.get("progress").get("fetched_block").asLong() >= fetched, job.toString());
    JsonNode dataset = JSON.readTree(send("GET", "/datasets/it/chain/versions/1/progress").body());
    JsonNode table = dataset.get("tables").get("logs");
    assertEquals(1, table.get("job_id").asLong(), dataset.toString());
    assertEquals("RUNNING", table.get("job_status").asText(), dataset.toString());
    assertTrue(table.get("fetched_block").asLong() >= fetched, dataset.toString());

    // Stopped inside the segment: nothing was committed, and the progress says so.
    assertTrue(send("PUT", "/jobs/1/stop").statusCode() < 300);
    solo.await(
        "job 1 STOPPED",
        WAIT,
        () ->
            JSON.readTree(send("GET", "/jobs/1").body()).path("status").asText().equals("STOPPED"));
    JsonNode stopped = progress();
    assertTrue(stopped.get("fetched_block").isNull(), stopped.toString());
    assertTrue(stopped.get("blocks_per_second").isNull(), stopped.toString());
    assertEquals(0, stopped.get("tables").get("blocks").get("segment_rows").asLong());

    solo.signal("TERM");
    assertEquals(0, solo.waitFor(WAIT), solo.stderr());
  }

  /** The periodic lines so far: blocks done, fetched block, rate. */
  private List<long[]> lines() {
    List<long[]> out = new ArrayList<>();
    Matcher m = LINE.matcher(solo.stderr());
    while (m.find()) {
      out.add(
          new long[] {
            Long.parseLong(m.group(1)),
            Long.parseLong(m.group(3)),
            (long) Double.parseDouble(m.group(4))
          });
    }
    return out;
  }

  private JsonNode progress() throws Exception {
    return JSON.readTree(send("GET", "/jobs/1/progress").body());
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
