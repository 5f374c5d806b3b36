package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.HostPort;
import io.ampd.controller.http.Router;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.RunLedger;
import io.ampd.metadb.WorkerRepository;
import io.ampd.testing.CoordFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The jobs, workers and deploy routes over HTTP on a real database: answers and errors. */
class JobsRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = CoordFixtures.CONTROLLER.workerTimeout();

  private final HttpClient http = HttpClient.newHttpClient();
  private CoordFixtures fx;
  private AdminApi api;
  private String base;
  private Router router;

  @BeforeEach
  void setUp() {
    fx = CoordFixtures.create("routes");
    fx.provider("mainnet", "mainnet");
    fx.provider("sepolia", "sepolia");
    fx.dataset("ex", "eth", "1.0.0", "mainnet");
    fx.dataset("ex", "orphan", "1", "holesky");
    var ds = fx.db.dataSource();
    router =
        new Router()
            .add(new JobsRoutes(ds, Duration.ofSeconds(10)))
            .add(new WorkersRoutes(ds, TIMEOUT))
            .add(new DeployRoutes(ds, TIMEOUT));
    api = AdminApi.start(new HostPort("127.0.0.1", 0), router);
    base = "http://127.0.0.1:" + api.address().port();
  }

  @AfterEach
  void tearDown() {
    api.close();
    fx.close();
  }

  private record Answer(int status, JsonNode body) {}

  private Answer send(String method, String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  /** Amp's error body: exactly {@code error_code} and {@code error_message}. */
  private static void assertError(Answer a, int status, String code, String message) {
    assertEquals(status, a.status(), String.valueOf(a.body()));
    assertEquals(
        Map.of("error_code", code, "error_message", message),
        JSON.convertValue(a.body(), Map.class));
  }

  static java.util.List<String> keys(JsonNode o) {
    java.util.List<String> out = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static final String DEPLOY = "/datasets/ex/eth/versions/1.0.0/deploy";

  @Test
  void deployIsIdempotent() throws Exception {
    Answer first = send("POST", DEPLOY, null);
    assertEquals(202, first.status(), first.body().toString());
    long id = first.body().get("job_id").asLong();
    JsonNode job = first.body().get("job");
    assertEquals(id, job.get("id").asLong());
    assertEquals("SCHEDULED", job.get("status").asText());
    assertEquals("mainnet", job.get("provider").asText());
    assertEquals("", job.get("node_id").asText(), "no live worker yet");
    assertEquals(
        "{\"namespace\":\"ex\",\"name\":\"eth\",\"version\":\"1.0.0\"}",
        job.get("dataset").toString());
    assertEquals(
        "{\"kind\":\"evm-rpc\",\"provider\":\"mainnet\",\"end_block\":null,\"max_writers\":1,"
            + "\"dataset_namespace\":\"ex\",\"dataset_name\":\"eth\","
            + "\"dataset_version\":\"1.0.0\"}",
        job.get("descriptor").toString());

    // While that job is active, a deploy (whatever its body) answers its id.
    Answer again = send("POST", DEPLOY, "{\"provider\": \"mainnet\", \"end_block\": \"5\"}");
    assertEquals(202, again.status());
    assertEquals(
        "{\"job_id\":" + id, again.body().toString().substring(0, 10 + Long.toString(id).length()));
    assertEquals(id, again.body().get("job_id").asLong());
  }

  @Test
  void deployTakesAmpsBody() throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "w1", Map.of("pid", 42));
      WorkerRepository.register(c, "x1", Map.of("pid", 43));
    }
    Answer first =
        send(
            "POST",
            "/datasets/ex/eth/versions/latest/deploy",
            "{\"end_block\": \"-10\", \"parallelism\": 1, \"worker_id\": \"x*\","
                + " \"verify\": false}");
    assertEquals(202, first.status(), first.body().toString());
    JsonNode job = first.body().get("job");
    assertEquals("x1", job.get("node_id").asText());
    assertEquals("-10", job.get("descriptor").get("end_block").asText());
    assertEquals(1, job.get("descriptor").get("max_writers").asInt());
    long id = first.body().get("job_id").asLong();
    RunLedger ledger = new RunLedger(fx.db.dataSource());
    assertTrue(ledger.start(id, "x1"));
    assertTrue(ledger.finish(id, "x1", JobStatus.STOPPED, null));

    // ampd takes the block as a JSON number too, and stores Amp's string form.
    Answer second = send("POST", DEPLOY, "{\"end_block\": 100, \"worker_id\": \"w1\"}");
    assertEquals(202, second.status(), second.body().toString());
    assertEquals("100", second.body().get("job").get("descriptor").get("end_block").asText());
    assertEquals("w1", second.body().get("job").get("node_id").asText());
    assertTrue(second.body().get("job_id").asLong() != id);
  }

  @Test
  void deployRefusesBadInput() throws Exception {
    assertError(
        send("POST", "/datasets/ex/nope/versions/1/deploy", null),
        404,
        "DATASET_NOT_FOUND",
        "dataset 'ex/nope' at revision '1' not found");
    assertError(
        send("POST", "/datasets/ex/eth/versions/2.0.0/deploy", null),
        404,
        "DATASET_NOT_FOUND",
        "dataset 'ex/eth' at revision '2.0.0' not found");
    assertError(
        send("POST", "/datasets/e%20x/eth/versions/1/deploy", null),
        400,
        "INVALID_PATH",
        "invalid path parameters: namespace 'e x' is not valid");
    assertError(
        send("POST", DEPLOY, "{\"provider\": \"nope\"}"),
        400,
        "PROVIDER_NOT_FOUND",
        "provider 'nope' does not exist");
    assertError(
        send("POST", DEPLOY, "{\"provider\": \"sepolia\"}"),
        400,
        "PROVIDER_NETWORK_MISMATCH",
        "provider 'sepolia' serves network 'sepolia', but dataset ex/eth@1.0.0 needs network"
            + " 'mainnet'");
    assertError(
        send("POST", DEPLOY, "{\"provider\": 7}"),
        400,
        "INVALID_BODY",
        "invalid request body: provider must be a non-empty string, got 7");
    assertError(
        send("POST", DEPLOY, "{\"workers\": 2}"),
        400,
        "INVALID_BODY",
        "invalid request body: unknown field 'workers' in the deploy request; allowed: end_block,"
            + " parallelism, worker_id, verify, provider");
    assertError(
        send("POST", DEPLOY, "{\"end_block\": \"soon\"}"),
        400,
        "INVALID_BODY",
        "invalid request body: invalid end block value: 'soon' (expected 'latest' or an integer)");
    assertError(
        send("POST", DEPLOY, "{\"end_block\": true}"),
        400,
        "INVALID_BODY",
        "invalid request body: end_block is true, expected null, \"latest\" or an integer as a"
            + " string");
    assertError(
        send("POST", DEPLOY, "{\"parallelism\": 4}"),
        400,
        "INVALID_BODY",
        "invalid request body: parallelism is 4, but ampd extracts a dataset version with one"
            + " writer: give 1 or leave it out");
    assertError(
        send("POST", DEPLOY, "{\"verify\": true}"),
        400,
        "INVALID_BODY",
        "invalid request body: verify true is not supported: ampd checks that every block"
            + " continues its parent but does not recompute transaction and receipt roots");
    assertError(
        send("POST", DEPLOY, "{\"worker_id\": \"w 1\"}"),
        400,
        "INVALID_BODY",
        "invalid request body: worker_id is \"w 1\", expected a worker node id or a glob of one"
            + " (letters, digits, _ . - * ?)");
    assertError(
        send("POST", DEPLOY, "{\"worker_id\": \"w*\"}"),
        400,
        "WORKER_NOT_AVAILABLE",
        "no live worker matches 'w*'");
    Answer badJson = send("POST", DEPLOY, "{oops");
    assertEquals(400, badJson.status());
    assertEquals("INVALID_BODY", badJson.body().get("error_code").asText());
    assertTrue(
        badJson.body().get("error_message").asText().startsWith("request body is not valid JSON"));
    assertError(
        send("POST", "/datasets/ex/orphan/versions/1/deploy", null),
        409,
        "NO_PROVIDER_FOR_NETWORK",
        "no provider serves network 'holesky' (needed by dataset ex/orphan@1); register one with"
            + " POST /providers");
    assertEquals(0, send("GET", "/jobs", null).body().get("jobs").size());
  }

  @Test
  void jobsAreListedShownAndTheirEventsToo() throws Exception {
    long id = send("POST", DEPLOY, null).body().get("job_id").asLong();

    Answer list = send("GET", "/jobs?status=SCHEDULED&limit=10", null);
    assertEquals(200, list.status());
    assertEquals(id, list.body().get("jobs").get(0).get("id").asLong());
    assertEquals(0, send("GET", "/jobs?status=RUNNING", null).body().get("jobs").size());

    Answer one = send("GET", "/jobs/" + id, null);
    assertEquals(200, one.status());
    // Amp's JobInfo first (its TypeScript client decodes these six), then ampd's fields.
    assertEquals(
        java.util.List.of(
            "id",
            "created_at",
            "updated_at",
            "node_id",
            "status",
            "descriptor",
            "dataset",
            "kind",
            "provider",
            "attempts",
            "next_attempt_at",
            "last_error",
            "progress"),
        keys(one.body()));
    assertEquals(0, one.body().get("attempts").asInt());
    assertEquals("ex", one.body().get("descriptor").get("dataset_namespace").asText());
    java.time.Instant.parse(one.body().get("created_at").asText());
    // the list gives each job as GET /jobs/{id} does, without its progress
    ((com.fasterxml.jackson.databind.node.ObjectNode) one.body()).remove("progress");
    assertEquals(one.body(), list.body().get("jobs").get(0));

    Answer events = send("GET", "/jobs/" + id + "/events", null);
    assertEquals(200, events.status());
    assertEquals(id, events.body().get("job_id").asLong());
    assertEquals("scheduled", events.body().get("events").get(0).get("event_type").asText());
    assertEquals("scheduled", events.body().get("events").get(0).get("type").asText());
    assertEquals(
        "mainnet", events.body().get("events").get(0).get("detail").get("provider").asText());
  }

  @Test
  void badJobRequestsAreRefused() throws Exception {
    assertError(
        send("GET", "/jobs/abc", null),
        400,
        "INVALID_JOB_ID",
        "invalid job ID: must be a positive integer, got 'abc'");
    assertError(
        send("GET", "/jobs/0", null),
        400,
        "INVALID_JOB_ID",
        "invalid job ID: must be a positive integer, got '0'");
    assertError(send("GET", "/jobs/999", null), 404, "JOB_NOT_FOUND", "job '999' not found");
    assertError(send("GET", "/jobs/999/events", null), 404, "JOB_NOT_FOUND", "job '999' not found");
    assertError(
        send("GET", "/jobs/999/progress", null), 404, "JOB_NOT_FOUND", "job '999' not found");
    assertError(send("PUT", "/jobs/999/stop", null), 404, "JOB_NOT_FOUND", "job '999' not found");
    assertError(send("DELETE", "/jobs/999", null), 404, "JOB_NOT_FOUND", "job '999' not found");
    assertError(
        send("GET", "/jobs?status=DONE", null),
        400,
        "INVALID_QUERY_PARAMETERS",
        "unknown job status 'DONE'; active, all, or one or more (separated by commas) of"
            + " SCHEDULED, RUNNING, COMPLETED, STOP_REQUESTED, STOPPING, STOPPED, ERROR, FATAL");
    assertError(
        send("GET", "/jobs?limit=0", null),
        400,
        "LIMIT_INVALID",
        "limit must be an integer from 1 to 1000, got '0'");
    assertError(
        send("GET", "/jobs?limit=1001", null),
        400,
        "LIMIT_TOO_LARGE",
        "limit must be an integer from 1 to 1000, got '1001'");
    assertError(
        send("GET", "/jobs?limit=x", null),
        400,
        "INVALID_QUERY_PARAMETERS",
        "limit must be an integer from 1 to 1000, got 'x'");
    assertError(
        send("GET", "/jobs?last_job_id=0", null),
        400,
        "INVALID_QUERY_PARAMETERS",
        "last_job_id must be a positive integer, got '0'");
  }

  /**
   * Amp's listing: unfinished jobs by default, {@code all} or statuses in any case separated by
   * commas, pages of {@code limit} newest first, {@code next_cursor} as the next page's {@code
   * last_job_id}.
   */
  @Test
  void jobsAreListedInAmpsPages() throws Exception {
    long first = send("POST", DEPLOY, null).body().get("job_id").asLong();
    assertEquals(200, send("PUT", "/jobs/" + first + "/stop", null).status());
    long second = send("POST", DEPLOY, null).body().get("job_id").asLong();
    assertEquals(200, send("PUT", "/jobs/" + second + "/stop", null).status());
    long third = send("POST", DEPLOY, null).body().get("job_id").asLong();

    Answer active = send("GET", "/jobs", null);
    assertEquals(List.of(third), ids(active));
    assertEquals(third, active.body().get("next_cursor").asLong());
    assertEquals(List.of(third, second, first), ids(send("GET", "/jobs?status=all", null)));
    assertEquals(List.of(second, first), ids(send("GET", "/jobs?status=stopped", null)));
    assertEquals(
        List.of(third, second, first), ids(send("GET", "/jobs?status=Scheduled,STOPPED", null)));

    Answer page1 = send("GET", "/jobs?status=all&limit=2", null);
    assertEquals(List.of(third, second), ids(page1));
    assertEquals(second, page1.body().get("next_cursor").asLong());
    Answer page2 = send("GET", "/jobs?status=all&limit=2&last_job_id=" + second, null);
    assertEquals(List.of(first), ids(page2));
    Answer page3 =
        send(
            "GET",
            "/jobs?status=all&limit=2&last_job_id=" + page2.body().get("next_cursor").asLong(),
            null);
    assertEquals(List.of(), ids(page3));
    assertTrue(page3.body().get("next_cursor").isNull());
  }

  private static List<Long> ids(Answer a) {
    assertEquals(200, a.status(), String.valueOf(a.body()));
    List<Long> out = new java.util.ArrayList<>();
    a.body().get("jobs").forEach(j -> out.add(j.get("id").asLong()));
    return out;
  }

  @Test
  void stopAndDelete() throws Exception {
    long id = send("POST", DEPLOY, null).body().get("job_id").asLong();
    assertError(
        send("DELETE", "/jobs/" + id, null),
        409,
        "JOB_CONFLICT",
        "job "
            + id
            + " is SCHEDULED; only COMPLETED, STOPPED or FATAL jobs can be deleted (stop it"
            + " first)");

    Answer stopped = send("PUT", "/jobs/" + id + "/stop", null);
    assertEquals(200, stopped.status());
    assertEquals("STOPPED", stopped.body().get("status").asText());
    assertError(
        send("PUT", "/jobs/" + id + "/stop", null),
        409,
        "JOB_CONFLICT",
        "job " + id + " has already finished (STOPPED); there is nothing to stop");

    assertEquals(new Answer(204, null), send("DELETE", "/jobs/" + id, null));
    assertError(
        send("GET", "/jobs/" + id, null), 404, "JOB_NOT_FOUND", "job '" + id + "' not found");
  }

  @Test
  void stopOfARunningJobIsAccepted() throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "w1", Map.of("pid", 42));
    }
    long id = send("POST", DEPLOY, null).body().get("job_id").asLong();
    new RunLedger(fx.db.dataSource()).start(id, "w1");

    Answer stop = send("PUT", "/jobs/" + id + "/stop", null);
    assertEquals(202, stop.status());
    assertEquals("STOP_REQUESTED", stop.body().get("status").asText());
    Answer again = send("PUT", "/jobs/" + id + "/stop", null);
    assertEquals(200, again.status());
    assertEquals("STOP_REQUESTED", again.body().get("status").asText());
  }

  @Test
  void stoppedAndErrorJobsResume() throws Exception {
    long id = send("POST", DEPLOY, null).body().get("job_id").asLong();
    Answer active = send("PUT", "/jobs/" + id + "/resume", null);
    assertEquals(200, active.status(), "a scheduled job: nothing to do");
    assertEquals("SCHEDULED", active.body().get("status").asText());

    assertEquals(200, send("PUT", "/jobs/" + id + "/stop", null).status());
    Answer resumed = send("POST", "/jobs/" + id + "/resume", null);
    assertEquals(200, resumed.status());
    assertEquals("SCHEDULED", resumed.body().get("status").asText());
    assertTrue(
        send("GET", "/jobs/" + id + "/events", null).body().toString().contains("\"resumed\""));

    // Stopped again, and deployed again meanwhile (a worker has come): the new job is the
    // dataset's one active job.
    assertEquals(200, send("PUT", "/jobs/" + id + "/stop", null).status());
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "w1", Map.of("pid", 42));
    }
    long second = send("POST", DEPLOY, null).body().get("job_id").asLong();
    assertTrue(second != id);
    assertError(
        send("PUT", "/jobs/" + id + "/resume", null),
        409,
        "JOB_CONFLICT",
        "job "
            + id
            + " cannot resume: another job of ex/eth@1.0.0 is active (at most one"
            + " extracts a dataset version); stop that one first");

    // An ERROR job resumes at once, onto a live worker, instead of at its retry time.
    RunLedger ledger = new RunLedger(fx.db.dataSource());
    assertTrue(ledger.start(second, "w1"));
    assertTrue(ledger.finish(second, "w1", JobStatus.ERROR, "node down"));
    Answer retried = send("PUT", "/jobs/" + second + "/resume", null);
    assertEquals(200, retried.status());
    assertEquals("SCHEDULED", retried.body().get("status").asText());
    assertEquals("w1", retried.body().get("node_id").asText());

    assertTrue(ledger.start(second, "w1"));
    assertTrue(ledger.finish(second, "w1", JobStatus.COMPLETED, null));
    assertError(
        send("PUT", "/jobs/" + second + "/resume", null),
        409,
        "JOB_CONFLICT",
        "job " + second + " is COMPLETED; only STOPPED or ERROR jobs can be resumed");
    assertError(send("PUT", "/jobs/999/resume", null), 404, "JOB_NOT_FOUND", "job '999' not found");
  }

  @Test
  void finishedJobsAreDeletedByStatusAsAmpDoes() throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "w1", Map.of("pid", 42));
    }
    RunLedger ledger = new RunLedger(fx.db.dataSource());
    long completed = send("POST", DEPLOY, null).body().get("job_id").asLong();
    assertTrue(ledger.start(completed, "w1"));
    assertTrue(ledger.finish(completed, "w1", JobStatus.COMPLETED, null));
    long stopped = send("POST", DEPLOY, null).body().get("job_id").asLong();
    assertTrue(ledger.start(stopped, "w1"));
    assertTrue(ledger.finish(stopped, "w1", JobStatus.STOPPED, null));
    long fatal = send("POST", DEPLOY, null).body().get("job_id").asLong();
    assertTrue(ledger.start(fatal, "w1"));
    assertTrue(ledger.finish(fatal, "w1", JobStatus.FATAL, "malformed block"));
    long active = send("POST", DEPLOY, null).body().get("job_id").asLong();

    assertError(
        send("DELETE", "/jobs", null),
        400,
        "INVALID_QUERY_PARAM",
        "status is required: one of terminal, completed, stopped, error");
    assertError(
        send("DELETE", "/jobs?status=running", null),
        400,
        "INVALID_QUERY_PARAM",
        "unknown status filter 'running'; one of terminal, completed, stopped, error");

    assertEquals(new Answer(204, null), send("DELETE", "/jobs?status=stopped", null));
    assertEquals(404, send("GET", "/jobs/" + stopped, null).status());
    assertEquals(200, send("GET", "/jobs/" + completed, null).status());
    assertEquals(new Answer(204, null), send("DELETE", "/jobs?status=error", null));
    assertEquals(404, send("GET", "/jobs/" + fatal, null).status());
    assertEquals(new Answer(204, null), send("DELETE", "/jobs?status=terminal", null));
    assertEquals(404, send("GET", "/jobs/" + completed, null).status());
    // An active job is never deleted, whatever the filter.
    assertEquals("SCHEDULED", send("GET", "/jobs/" + active, null).body().get("status").asText());
  }

  @Test
  void everyRouteIsInTheOpenApiDocument() {
    assertEquals(java.util.List.of(), OpenApiRoutes.undocumented(router));
  }

  @Test
  void workers() throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "w1", Map.of("pid", 42));
    }
    long id = send("POST", DEPLOY, null).body().get("job_id").asLong();

    Answer list = send("GET", "/workers", null);
    assertEquals(200, list.status());
    JsonNode w1 = list.body().get("workers").get(0);
    assertEquals("w1", w1.get("node_id").asText());
    assertTrue(w1.get("live").asBoolean());
    assertEquals(42, w1.get("info").get("pid").asInt());
    assertEquals(w1.get("registered_at"), w1.get("created_at"));
    java.time.Instant.parse(w1.get("heartbeat_at").asText());

    Answer one = send("GET", "/workers/w1", null);
    assertEquals(200, one.status());
    assertEquals("[" + id + "]", one.body().get("jobs").toString());

    assertError(send("GET", "/workers/w2", null), 404, "WORKER_NOT_FOUND", "worker 'w2' not found");
    assertError(
        send("GET", "/workers/1w", null),
        400,
        "INVALID_WORKER_ID",
        "invalid worker node ID: invalid worker node id '1w': it must"
            + " start with a letter and contain only letters, digits, '_', '-' and '.' (at most 63"
            + " characters)");
  }
}
