package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.HostPort;
import io.ampd.controller.http.Router;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.LiveProgress;
import io.ampd.metadb.ProgressRepository;
import io.ampd.metadb.RunLedger;
import io.ampd.metadb.WorkerRepository;
import io.ampd.testing.CoordFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /jobs/{id}/progress}, the progress in {@code GET /jobs/{id}} and the dataset progress
 * routes, over HTTP on a real database: committed progress from {@code files} and {@code
 * extraction_progress}, live figures from {@code job_progress} while the job runs.
 */
class ProgressRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = CoordFixtures.CONTROLLER.workerTimeout();
  private static final String DEPLOY = "/datasets/ex/eth/versions/1.0.0/deploy";

  private final HttpClient http = HttpClient.newHttpClient();
  private CoordFixtures fx;
  private AdminApi api;
  private String base;
  private Router router;
  private RunLedger ledger;
  private ProgressRepository progress;

  @BeforeEach
  void setUp() throws Exception {
    fx = CoordFixtures.create("progress");
    fx.provider("mainnet", "mainnet");
    fx.dataset("ex", "eth", "1.0.0", "mainnet");
    var ds = fx.db.dataSource();
    router =
        new Router()
            .add(new JobsRoutes(ds, TIMEOUT))
            .add(new DeployRoutes(ds, TIMEOUT))
            .add(new DatasetProgressRoutes(ds));
    api = AdminApi.start(new HostPort("127.0.0.1", 0), router);
    base = "http://127.0.0.1:" + api.address().port();
    ledger = new RunLedger(ds);
    progress = new ProgressRepository(ds);
    try (Connection c = ds.getConnection()) {
      WorkerRepository.register(c, "w1", Map.of("pid", 42));
    }
  }

  @AfterEach
  void tearDown() {
    api.close();
    fx.close();
  }

  private record Answer(int status, JsonNode body) {}

  private Answer get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  /** A table revision written by {@code job}, with files of 100 blocks each up to {@code last}. */
  private long revision(long job, String table, long first, long last, int rowsPerFile) {
    long id =
        Long.parseLong(
            fx.column(
                    "INSERT INTO table_revisions (dataset_namespace, dataset_name, dataset_version,"
                        + " table_name, path, writer, active) VALUES ('ex', 'eth', '1.0.0', '"
                        + table
                        + "', 'ex/eth/"
                        + table
                        + "/1.0.0/job-"
                        + job
                        + "', "
                        + job
                        + ", true) RETURNING id")
                .get(0));
    for (long b = first; b <= last; b += 100) {
      fx.execute(
          "INSERT INTO files (revision_id, file_name, size_bytes, row_count, block_start,"
              + " block_end) VALUES ("
              + id
              + ", 'f"
              + b
              + "', 1000, "
              + rowsPerFile
              + ", "
              + b
              + ", "
              + (b + 99)
              + ")");
    }
    if (last >= first) {
      fx.execute(
          "INSERT INTO extraction_progress (revision_id, last_block) VALUES ("
              + id
              + ", "
              + last
              + ")");
    }
    return id;
  }

  private static LiveProgress live(long job, long fetched, boolean running) {
    Map<String, LiveProgress.Pending> segment = new LinkedHashMap<>();
    segment.put("blocks", new LiveProgress.Pending(fetched - 199, 4_096));
    segment.put("transactions", new LiveProgress.Pending(3 * (fetched - 199), 9_000));
    return new LiveProgress(
        job,
        "w1",
        0,
        OptionalLong.of(fetched),
        OptionalLong.of(999),
        OptionalDouble.of(25.0),
        segment,
        running,
        null);
  }

  @Test
  void aRunningJobShowsCommittedAndLiveProgressPerTable() throws Exception {
    long job = deploy();
    assertTrue(ledger.start(job, "w1"));
    long blocks = revision(job, "blocks", 0, 199, 100);
    long txs = revision(job, "transactions", 0, 199, 300);
    progress.publish(live(job, 349, true));

    Answer answer = get("/jobs/" + job + "/progress");
    assertEquals(200, answer.status(), String.valueOf(answer.body()));
    JsonNode body = answer.body();
    String updatedAt = body.get("updated_at").asText();
    Instant.parse(updatedAt);
    // 650 blocks to go at 25 blocks/s: 26 s.
    assertEquals(
        JSON.readTree(
            "{\"job_id\": "
                + job
                + ", \"job_status\": \"RUNNING\", \"current_block\": 199,"
                + " \"fetched_block\": 349, \"target_block\": 999, \"blocks_per_second\": 25.0,"
                + " \"eta_seconds\": 26, \"updated_at\": \""
                + updatedAt
                + "\", \"tables\": {"
                + "\"blocks\": {\"current_block\": 199, \"start_block\": 0, \"files_count\": 2,"
                + " \"total_size_bytes\": 2000, \"revision_id\": "
                + blocks
                + ", \"rows\": 200, \"fetched_block\": 349, \"target_block\": 999,"
                + " \"blocks_per_second\": 25.0, \"eta_seconds\": 26, \"segment_rows\": 150,"
                + " \"segment_bytes\": 4096},"
                + "\"transactions\": {\"current_block\": 199, \"start_block\": 0,"
                + " \"files_count\": 2, \"total_size_bytes\": 2000, \"revision_id\": "
                + txs
                + ", \"rows\": 600, \"fetched_block\": 349, \"target_block\": 999,"
                + " \"blocks_per_second\": 25.0, \"eta_seconds\": 26, \"segment_rows\": 450,"
                + " \"segment_bytes\": 9000}}}"),
        body);

    // GET /jobs/{id} carries the same under "progress".
    JsonNode shown = get("/jobs/" + job).body();
    assertEquals("RUNNING", shown.get("status").asText());
    JsonNode expected = body.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected)
        .remove(List.of("job_id", "job_status"));
    assertEquals(expected, shown.get("progress"));

    // The dataset's view: the active revisions, their writer job, the same figures.
    Answer dataset = get("/datasets/ex/eth/versions/1.0.0/progress");
    assertEquals(200, dataset.status(), String.valueOf(dataset.body()));
    JsonNode d = dataset.body();
    assertEquals("ex", d.get("dataset_namespace").asText());
    assertEquals("eth", d.get("dataset_name").asText());
    assertEquals("1.0.0", d.get("revision").asText());
    assertEquals(64, d.get("manifest_hash").asText().length(), d.toString());
    assertEquals(List.of("blocks", "transactions", "logs"), names(d.get("tables")));
    JsonNode b = d.get("tables").get("blocks");
    assertEquals(
        List.of(
            "current_block",
            "start_block",
            "job_id",
            "job_status",
            "files_count",
            "total_size_bytes",
            "revision_id",
            "rows",
            "fetched_block",
            "target_block",
            "blocks_per_second",
            "eta_seconds",
            "segment_rows",
            "segment_bytes"),
        names(b));
    assertEquals(job, b.get("job_id").asLong());
    assertEquals("RUNNING", b.get("job_status").asText());
    for (String field : List.of("current_block", "fetched_block", "eta_seconds", "segment_rows")) {
      assertEquals(body.get("tables").get("blocks").get(field), b.get(field), field);
    }
    // logs has no revision yet: nothing extracted, no job.
    JsonNode logs = d.get("tables").get("logs");
    assertTrue(logs.get("current_block").isNull(), logs.toString());
    assertTrue(logs.get("job_id").isNull(), logs.toString());
    assertTrue(logs.get("revision_id").isNull(), logs.toString());
    assertEquals(0, logs.get("files_count").asLong());

    Answer table = get("/datasets/ex/eth/versions/1.0.0/tables/transactions/progress");
    assertEquals(200, table.status());
    assertEquals(d.get("tables").get("transactions"), table.body());
  }

  @Test
  void onceTheRunHasEndedOnlyCommittedProgressCounts() throws Exception {
    long job = deploy();
    assertTrue(ledger.start(job, "w1"));
    revision(job, "blocks", 0, 199, 100);
    // A worker that died leaves a row saying it runs; the job is rescheduled meanwhile.
    progress.publish(live(job, 349, true));
    assertTrue(ledger.finish(job, "w1", JobStatus.STOPPED, null));

    JsonNode body = get("/jobs/" + job + "/progress").body();
    assertEquals("STOPPED", body.get("job_status").asText());
    JsonNode blocks = body.get("tables").get("blocks");
    assertEquals(199, blocks.get("fetched_block").asLong(), body.toString());
    assertEquals(999, blocks.get("target_block").asLong(), body.toString());
    assertTrue(blocks.get("blocks_per_second").isNull(), body.toString());
    assertTrue(blocks.get("eta_seconds").isNull(), body.toString());
    assertEquals(0, blocks.get("segment_rows").asLong(), body.toString());

    // Committed up to the target: the ETA is 0.
    fx.execute("UPDATE extraction_progress SET last_block = 999");
    progress.publish(live(job, 999, false));
    body = get("/jobs/" + job + "/progress").body();
    assertEquals(0, body.get("eta_seconds").asLong(), body.toString());
    assertEquals(999, body.get("fetched_block").asLong(), body.toString());

    // The live row goes with its job.
    HttpResponse<String> deleted =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/jobs/" + job)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertEquals(java.util.Optional.empty(), progress.find(job));
    progress.publish(live(job, 999, false)); // a late write of a deleted job's worker: ignored
    assertEquals(java.util.Optional.empty(), progress.find(job));
  }

  @Test
  void aJobThatNeverRanHasNoFigures() throws Exception {
    long job = deploy();
    JsonNode body = get("/jobs/" + job + "/progress").body();
    assertEquals(
        JSON.readTree(
            "{\"job_id\": "
                + job
                + ", \"job_status\": \"SCHEDULED\", \"current_block\": null,"
                + " \"fetched_block\": null, \"target_block\": null,"
                + " \"blocks_per_second\": null, \"eta_seconds\": null, \"updated_at\": null,"
                + " \"tables\": {}}"),
        body);
    assertEquals(body.get("tables"), get("/jobs/" + job).body().get("progress").get("tables"));
  }

  @Test
  void unknownDatasetsAndTablesAreNamed() throws Exception {
    assertError(
        get("/datasets/ex/nope/versions/1.0.0/progress"),
        404,
        "DATASET_NOT_FOUND",
        "dataset 'ex/nope' at revision '1.0.0' not found");
    assertError(
        get("/datasets/ex/eth/versions/9/progress"),
        404,
        "DATASET_NOT_FOUND",
        "dataset 'ex/eth' at revision '9' not found");
    assertError(
        get("/datasets/ex/eth/versions/1.0.0/tables/receipts/progress"),
        404,
        "TABLE_NOT_FOUND",
        "dataset ex/eth@1.0.0 has no table 'receipts'; its tables: blocks, transactions, logs");
    assertError(
        get("/jobs/0/progress"),
        400,
        "INVALID_JOB_ID",
        "invalid job ID: must be a positive integer, got '0'");
    // Amp's revision words name versions here too
    assertEquals(200, get("/datasets/ex/eth/versions/latest/progress").status());
  }

  @Test
  void everyRouteIsInTheOpenApiDocument() {
    assertEquals(List.of(), OpenApiRoutes.undocumented(router));
  }

  private long deploy() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + DEPLOY))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() < 300, r.body());
    return JSON.readTree(r.body()).get("job_id").asLong();
  }

  private static List<String> names(JsonNode object) {
    List<String> out = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static void assertError(Answer a, int status, String code, String message) {
    assertEquals(status, a.status(), String.valueOf(a.body()));
    assertEquals(code, a.body().get("error_code").asText(), a.body().toString());
    assertEquals(message, a.body().get("error_message").asText(), a.body().toString());
  }
}
