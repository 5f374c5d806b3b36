package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.PgUrl;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Table revisions against a real {@code ampd solo}: a deploy of a version that was extracted (all
 * of it, or up to a stop) continues its revisions and never writes a block twice; a redump writes
 * new revisions beside the active ones and queries switch from one to the other without a moment of
 * doubled or missing rows; deleting a revision removes its files, and a process killed between the
 * two steps of a deletion leaves a directory the next start removes.
 *
 * <p>Checked three ways each time: the Parquet files on disk, the records ({@code GET /revisions}),
 * and {@code count(*)} through the query server.
 */
class RevisionsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LAST_BLOCK = 2_999;
  private static final int SEGMENT = 500;
  private static final List<String> TABLES = List.of("blocks", "transactions", "logs");

  private final HttpClient http = HttpClient.newHttpClient();
  private Path base;
  private Path config;
  private FakeEvmNode node;
  private AmpdProcess solo;
  private int admin;
  private Map<String, String> env;
  private long expectedTransactions;
  private Path tmp;

  @BeforeEach
  void setUp() throws Exception {
    base = TempDirs.create("ampd-it-revisions");
    PgUrl url = TestPostgres.shared().createDatabase("revisionsit");
    node = FakeEvmNode.start(new SyntheticChain(11), 999, 2);
    for (long n = 0; n <= LAST_BLOCK; n++) {
      expectedTransactions += node.chain().block(n).transactions().size();
    }
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
    tmp = Files.createDirectories(base.resolve("tmp"));
    config = base.resolve("config.toml");
    Files.writeString(
        config,
        "data_dir = \"data\"\nproviders_dir = \"providers\"\nmanifests_dir = \"manifests\"\n"
            + "[metadata_db]\nurl = \""
            + url.psqlUrl()
            + "\"\nauto_migrate = true\n"
            + "[worker]\nheartbeat_interval_ms = 200\nreconcile_interval_ms = 500\n"
            + "segment_blocks = "
            + SEGMENT
            + "\n");
    admin = AmpdProcess.freePort();
    env = AmpdProcess.envWithAdminPort(admin);
    startSolo(Map.of());
  }

  private void startSolo(Map<String, String> extra) throws Exception {
    Map<String, String> e = new HashMap<>(env);
    e.putAll(extra);
    // Temporary files (junixsocket's native library) inside the test's dir: a process killed
    // outright cannot remove its own.
    List<String> command = AmpdProcess.javaCommand();
    command.add(command.indexOf("-jar"), "-Djava.io.tmpdir=" + tmp);
    command.addAll(List.of("--config", config.toString(), "solo"));
    solo = AmpdProcess.startCommand(base, e, command);
    solo.awaitHealthy(admin, WAIT);
  }

  /** Stops solo as users do (SIGTERM), so that it removes what it made. */
  private void stopSolo() throws Exception {
    solo.signal("TERM");
    assertEquals(0, solo.waitFor(WAIT), solo.stderr());
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
  void redeployingAStoppedAndACompletedVersionNeverWritesABlockTwice() throws Exception {
    // Deployed up to block 499 (Amp's end_block, lower than the manifest's): the worker reads it
    // from the job and completes there.
    long upTo499 = deploy("deploy", "{\"end_block\": \"499\"}");
    awaitStatus(upTo499, "COMPLETED");
    awaitRecorded(upTo499, 499);

    // Deployed again without one: a new job continues the same revisions from block 500.
    long first = deploy("deploy");
    assertNotEquals(upTo499, first);
    awaitRecorded(first, 999);
    assertTrue(solo.stderr().contains("resuming at block 500"), solo.stderr());
    assertTrue(send("PUT", "/jobs/" + first + "/stop", "").statusCode() < 300);
    awaitStatus(first, "STOPPED");

    // Deployed again after a stop: a new job continues the same revisions from block 1000.
    node.setHead(LAST_BLOCK);
    long second = deploy("deploy");
    assertNotEquals(first, second);
    awaitStatus(second, "COMPLETED");
    assertTrue(solo.stderr().contains("job " + second + ": "), solo.stderr());
    assertTrue(solo.stderr().contains("resuming at block 1000"), solo.stderr());

    // Deployed again once completed: nothing to extract, the completed job is the answer.
    long requestsBefore = node.requests();
    assertEquals(second, deploy("deploy"));
    assertEquals("COMPLETED", job(second).path("status").asText());
    assertEquals(3, JSON.readTree(send("GET", "/jobs?status=all", "").body()).path("jobs").size());

    assertExtractedOnce(1);
    // Nothing fetched for the completed deploy (the node's counter moves only with requests).
    assertEquals(requestsBefore, node.requests());
    stopSolo();
  }

  @Test
  void aRedumpReplacesTheActiveRevisionWithoutDoubledOrMissingRowsAndDeletionIsCrashSafe()
      throws Exception {
    node.setHead(LAST_BLOCK);
    long first = deploy("deploy");
    awaitStatus(first, "COMPLETED");
    Map<String, Long> old = activeRevisions();
    assertEquals(TABLES.size(), old.size(), old.toString());

    // A redump while queries run: every answer counts each block exactly once.
    List<String> wrong = new CopyOnWriteArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    int[] queries = {0};
    Thread reader =
        new Thread(
            () -> {
              while (!done.get()) {
                try {
                  JsonNode row = countBlocksAndTransactions();
                  if (row.path("n").asLong() != LAST_BLOCK + 1
                      || row.path("d").asLong() != LAST_BLOCK + 1
                      || row.path("t").asLong() != expectedTransactions) {
                    wrong.add(row.toString());
                  }
                  queries[0]++;
                } catch (Exception e) {
                  wrong.add(e.toString());
                }
              }
            });
    reader.start();
    node.delayRequests(40, Duration.ofMillis(25));
    long redump = deploy("redump");
    awaitStatus(redump, "COMPLETED");
    solo.await("revisions switched", WAIT, () -> !activeRevisions().equals(old));
    done.set(true);
    reader.join(WAIT.toMillis());
    assertTrue(wrong.isEmpty(), "answers with doubled or missing rows: " + wrong);
    assertTrue(queries[0] > 0);
    Map<String, Long> fresh = activeRevisions();
    for (String table : TABLES) {
      assertNotEquals(old.get(table), fresh.get(table), table);
    }
    // Two copies on disk now, one of them active.
    assertEquals(2 * TABLES.size(), revisionDirs().size(), revisionDirs().toString());

    // Activated back explicitly, then forward again: the answer never changes.
    long oldBlocks = old.get("blocks");
    HttpResponse<String> back =
        send(
            "POST",
            "/revisions/" + oldBlocks + "/activate",
            "{\"dataset\": \"it/chain@1\", \"table_name\": \"blocks\"}");
    assertEquals(200, back.statusCode(), back.body());
    assertTrue(JSON.readTree(back.body()).path("active").asBoolean(), back.body());
    assertEquals(LAST_BLOCK + 1, countBlocksAndTransactions().path("n").asLong());
    assertEquals(
        200, send("POST", "/revisions/" + fresh.get("blocks") + "/activate", "").statusCode());

    // An active revision is not deleted; an inactive one goes with its files.
    HttpResponse<String> refused = send("DELETE", "/revisions/" + fresh.get("blocks"), "");
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("REVISION_IS_ACTIVE"), refused.body());
    Path oldBlocksDir = revisionDir(oldBlocks);
    assertTrue(Files.isDirectory(oldBlocksDir));
    assertEquals(204, send("DELETE", "/revisions/" + oldBlocks, "").statusCode());
    assertFalse(Files.exists(oldBlocksDir), oldBlocksDir.toString());
    assertEquals(404, send("GET", "/revisions/" + oldBlocks, "").statusCode());

    // Killed between the two steps of a deletion: records gone, files left; the next start
    // removes them.
    long oldTx = old.get("transactions");
    Path oldTxDir = revisionDir(oldTx);
    stopSolo();
    startSolo(Map.of("AMPD_FAULT", "revision-delete:records-deleted"));
    try {
      send("DELETE", "/revisions/" + oldTx, "");
    } catch (IOException expected) {
      // the process died before answering
    }
    assertEquals(137, solo.waitFor(WAIT), solo.stderr());
    assertTrue(Files.isDirectory(oldTxDir), "the files outlive the records until the next start");
    startSolo(Map.of());
    assertEquals(404, send("GET", "/revisions/" + oldTx, "").statusCode());
    assertFalse(Files.exists(oldTxDir), oldTxDir.toString());
    assertTrue(solo.stderr().contains("removed revision directory"), solo.stderr());

    // What is left: the fresh revisions of all three tables and the old one of logs, on disk as
    // recorded, and the answer is still every block once.
    assertEquals(TABLES.size() + 1, revisionDirs().size(), revisionDirs().toString());
    assertExtractedOnce(2);
    stopSolo();
  }

  /** Files on disk, records and a count through the query server all equal the chain, once. */
  private void assertExtractedOnce(int revisionsPerTable) throws Exception {
    JsonNode revisions = JSON.readTree(send("GET", "/revisions", "").body());
    int active = 0;
    for (JsonNode r : revisions) {
      if (r.path("active").asBoolean()) {
        active++;
        assertEquals(LAST_BLOCK, r.path("last_block").asLong(), r.toString());
        assertEquals((LAST_BLOCK + 1) / SEGMENT, r.path("files").asLong(), r.toString());
        // On disk: the same files, consecutive ranges, each block once.
        List<String> files = parquetFiles(base.resolve("data").resolve(r.path("path").asText()));
        assertEquals((LAST_BLOCK + 1) / SEGMENT, files.size(), files.toString());
        long next = 0;
        for (String f : files) {
          String[] range = f.replace(".parquet", "").split("-");
          assertEquals(next, Long.parseLong(range[0]), files.toString());
          next = Long.parseLong(range[1]) + 1;
        }
        assertEquals(LAST_BLOCK + 1, next);
      }
    }
    assertEquals(TABLES.size(), active, revisions.toString());
    assertTrue(revisions.size() <= TABLES.size() * revisionsPerTable, revisions.toString());
    JsonNode row = countBlocksAndTransactions();
    assertEquals(LAST_BLOCK + 1, row.path("n").asLong(), row.toString());
    assertEquals(LAST_BLOCK + 1, row.path("d").asLong(), row.toString());
    assertEquals(expectedTransactions, row.path("t").asLong());
  }

  private JsonNode countBlocksAndTransactions() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + env.get("AMP_CONFIG_JSONL_ADDR") + "/"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "SELECT (SELECT count(*) FROM \"it/chain\".blocks) AS n,"
                            + " (SELECT count(DISTINCT block_num) FROM \"it/chain\".blocks) AS d,"
                            + " (SELECT count(*) FROM \"it/chain\".transactions) AS t"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** Table name to the id of its active revision. */
  private Map<String, Long> activeRevisions() throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (JsonNode r : JSON.readTree(send("GET", "/revisions?active=true", "").body())) {
      out.put(r.path("metadata").path("table_name").asText(), r.path("id").asLong());
    }
    return out;
  }

  private Path revisionDir(long id) throws Exception {
    JsonNode r = JSON.readTree(send("GET", "/revisions/" + id, "").body());
    return base.resolve("data").resolve(r.path("path").asText());
  }

  /** Revision directories on disk ({@code data/it/chain/<table>/1/<revision>}). */
  private List<Path> revisionDirs() throws IOException {
    List<Path> out = new ArrayList<>();
    for (String table : TABLES) {
      Path dir = base.resolve("data/it/chain").resolve(table).resolve("1");
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.forEach(out::add);
        }
      }
    }
    return out;
  }

  private static List<String> parquetFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(
          new TreeSet<>(
              s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).toList()));
    }
  }

  /** Deploys (or redumps) version 1; the job's id. */
  private long deploy(String action) throws Exception {
    return deploy(action, "");
  }

  private long deploy(String action, String body) throws Exception {
    HttpResponse<String> r = send("POST", "/datasets/it/chain/versions/1/" + action, body);
    assertTrue(r.statusCode() >= 200 && r.statusCode() < 300, r.statusCode() + " " + r.body());
    JsonNode answer = JSON.readTree(r.body());
    assertEquals(202, r.statusCode(), r.body());
    return answer.path("job_id").asLong();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode job(long id) throws Exception {
    return JSON.readTree(send("GET", "/jobs/" + id, "").body());
  }

  private void awaitStatus(long id, String status) throws Exception {
    solo.await(
        "job " + id + " " + status, WAIT, () -> job(id).path("status").asText().equals(status));
  }

  /** Waits until every table of job {@code id} has recorded {@code block} as its last. */
  private void awaitRecorded(long id, long block) throws Exception {
    solo.await(
        "job " + id + " recorded up to block " + block,
        WAIT,
        () -> {
          JsonNode tables =
              JSON.readTree(send("GET", "/jobs/" + id + "/progress", "").body()).path("tables");
          if (tables.size() != TABLES.size()) {
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
}
