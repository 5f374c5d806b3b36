package io.ampd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One deploy-run-stop cycle of a follow-head job on a running ampd, timed from outside (the admin
 * API, polled every 5 ms) and from inside (the times of the job's events in the metadata database).
 *
 * <p>Each cycle deploys the dataset version, which must create a new job: the previous cycle's job
 * is STOPPED, so it is no longer the active job deploy would hand back. The job is left RUNNING for
 * a hold time, so it is really at work (extracting, or waiting at the chain head), then stopped.
 * Samples taken while {@link #recording} is off (warm-up) are dropped.
 */
final class JobLatencyProbe {
  private static final long POLL_NANOS = 5_000_000;
  private static final long TIMEOUT_MS = 30_000;
  private static final Set<String> ENDED = Set.of("COMPLETED", "STOPPED", "FATAL", "ERROR");

  /** What the cycle measures, in the order of the printed table. */
  enum Metric {
    DEPLOY_API("deploy → RUNNING, seen by the API (POST sent → first GET /jobs/{id} with RUNNING)"),
    DEPLOY_DB("deploy → RUNNING in the database (RUNNING event − job created_at)"),
    STOP_IDLE_API(
        "stop → STOPPED, job waiting at the chain head, seen by the API"
            + " (PUT sent → first GET with STOPPED)"),
    STOP_IDLE_DB(
        "stop → STOPPED, job waiting at the chain head, in the database"
            + " (STOPPED event − STOP_REQUESTED event)"),
    STOP_BUSY_API(
        "stop → STOPPED, job extracting, seen by the API" + " (PUT sent → first GET with STOPPED)"),
    STOP_BUSY_DB(
        "stop → STOPPED, job extracting, in the database"
            + " (STOPPED event − STOP_REQUESTED event)");

    final String label;

    Metric(String label) {
      this.label = label;
    }
  }

  /** The two kinds of job: one that has nothing to extract yet, one that is extracting. */
  enum Variant {
    IDLE(Metric.STOP_IDLE_API, Metric.STOP_IDLE_DB),
    BUSY(Metric.STOP_BUSY_API, Metric.STOP_BUSY_DB);

    final Metric stopApi;
    final Metric stopDb;

    Variant(Metric stopApi, Metric stopDb) {
      this.stopApi = stopApi;
      this.stopDb = stopDb;
    }
  }

  private final AdminClient api;
  private final Duration hold;
  private final Map<Metric, Stats> stats = new EnumMap<>(Metric.class);
  private long lastJob = -1;
  private boolean recording;

  JobLatencyProbe(AdminClient api, Duration hold) {
    this.api = api;
    this.hold = hold;
  }

  void recording(boolean on) {
    recording = on;
  }

  Stats get(Metric metric) {
    return stats.getOrDefault(metric, new Stats());
  }

  /** Deploys {@code datasetPath} ({@code /datasets/ns/name/versions/v}), holds, stops. */
  void cycle(String datasetPath, Variant variant) throws IOException, InterruptedException {
    long deployStart = Clock.now();
    JsonNode deployed = api.post(datasetPath + "/deploy").expect(202);
    long id = deployed.path("job_id").asLong();
    if (id <= 0 || id == lastJob) {
      throw new BenchException("deploy did not create a new job: " + deployed, "");
    }
    lastJob = id;
    String job = "/jobs/" + id;
    add(Metric.DEPLOY_API, awaitStatus(job, "RUNNING", deployStart));
    Thread.sleep(hold.toMillis());
    String status = api.get(job).expect(200).path("status").asText();
    if (!status.equals("RUNNING")) {
      throw new BenchException(
          job + " is " + status + " after " + hold.toMillis() + " ms, expected it still RUNNING",
          "");
    }

    long stopStart = Clock.now();
    api.put(job + "/stop").expect(202, 200);
    add(variant.stopApi, awaitStatus(job, "STOPPED", stopStart));

    JsonNode events = api.get(job + "/events").expect(200).path("events");
    Instant created = Instant.parse(deployed.path("job").path("created_at").asText());
    add(Metric.DEPLOY_DB, millisBetween(created, eventTime(events, "RUNNING", job)));
    add(
        variant.stopDb,
        millisBetween(eventTime(events, "STOP_REQUESTED", job), eventTime(events, "STOPPED", job)));
  }

  /** Polls until the job shows {@code wanted}; the milliseconds from {@code since}. */
  private double awaitStatus(String job, String wanted, long since)
      throws IOException, InterruptedException {
    long deadline = since + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    while (true) {
      JsonNode body = api.get(job).expect(200);
      String status = body.path("status").asText();
      if (status.equals(wanted)) {
        return Clock.millisSince(since);
      }
      if (ENDED.contains(status)) {
        throw new BenchException(
            job
                + " went "
                + status
                + " while waiting for "
                + wanted
                + " (last_error: "
                + body.path("last_error").asText("none")
                + ")",
            "");
      }
      if (Clock.now() > deadline) {
        throw new BenchException(
            job + " not " + wanted + " within " + TIMEOUT_MS + " ms; it is " + status, "");
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** When the first event that moved the job to {@code status} was written. */
  private static Instant eventTime(JsonNode events, String status, String job) {
    for (JsonNode event : events) {
      if (status.equals(event.path("detail").path("status").asText())) {
        return Instant.parse(event.path("created_at").asText());
      }
    }
    throw new BenchException(job + " has no event with status " + status + ": " + events, "");
  }

  private static double millisBetween(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e6;
  }

  private void add(Metric metric, double ms) {
    if (recording) {
      stats.computeIfAbsent(metric, m -> new Stats()).add(ms);
    }
  }
}
