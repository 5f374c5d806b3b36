package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.metadb.Job;
import io.ampd.metadb.JobEvent;
import io.ampd.metadb.JobQueries;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.WorkerNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The JSON shapes of jobs, events, progress and workers in the admin API. */
final class Views {
  private Views() {}

  /**
   * A job in Amp's shape ({@code jobs/job_info.rs}: {@code id, created_at, updated_at, node_id,
   * status, descriptor}) followed by ampd's fields. {@code node_id} is {@code ""} while the job
   * waits for a live worker (Amp's clients read it as a string). {@code descriptor} is what the
   * deploy recorded ({@code kind}, {@code provider}, Amp's {@code end_block} and {@code
   * max_writers}) with the dataset version's {@code dataset_namespace}, {@code dataset_name} and
   * {@code dataset_version}.
   */
  static Map<String, Object> job(Job job, JsonNode descriptor) {
    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("namespace", job.dataset().namespace());
    dataset.put("name", job.dataset().name());
    dataset.put("version", job.dataset().version());
    ObjectNode desc = JsonNodeFactory.instance.objectNode();
    if (descriptor != null && descriptor.isObject()) {
      desc.setAll((ObjectNode) descriptor);
    } else {
      desc.put("kind", job.kind());
      desc.put("provider", job.provider());
    }
    desc.put("dataset_namespace", job.dataset().namespace());
    desc.put("dataset_name", job.dataset().name());
    desc.put("dataset_version", job.dataset().version());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", job.id());
    out.put("created_at", job.createdAt().toString());
    out.put("updated_at", job.updatedAt().toString());
    out.put("node_id", job.nodeId().orElse(""));
    out.put("status", job.status().name());
    out.put("descriptor", desc);
    out.put("dataset", dataset);
    out.put("kind", job.kind());
    out.put("provider", job.provider());
    out.put("attempts", job.attempts());
    // Only a job that will be retried has a next attempt (a job stopped while it waited for its
    // retry kept one in databases written before that was cleared).
    out.put("next_attempt_at", job.status() == JobStatus.ERROR ? time(job.nextAttemptAt()) : null);
    out.put("last_error", job.lastError().orElse(null));
    return out;
  }

  /**
   * {@link #job(Job, JsonNode)} without the stored descriptor (it shows {@code kind} and {@code
   * provider}); prefer {@link #job(Job, JobQueries)}.
   */
  static Map<String, Object> job(Job job) {
    return job(job, (JsonNode) null);
  }

  /** {@link #job(Job, JsonNode)} with its descriptor read from {@code jobs}. */
  static Map<String, Object> job(Job job, JobQueries jobs) {
    return job(job, jobs.descriptors(List.of(job.id())).get(job.id()));
  }

  /** Jobs with their descriptors, read in one query. */
  static List<Map<String, Object>> jobs(List<Job> list, JobQueries jobs) {
    Map<Long, JsonNode> descriptors = jobs.descriptors(list.stream().map(Job::id).toList());
    return list.stream().map(j -> job(j, descriptors.get(j.id()))).toList();
  }

  static Map<String, Object> event(JobEvent event) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", event.id());
    out.put("job_id", event.jobId());
    out.put("node_id", event.nodeId().orElse(null));
    out.put("event_type", event.type());
    out.put("type", event.type());
    out.put("detail", event.detail());
    out.put("created_at", event.createdAt().toString());
    return out;
  }

  static Map<String, Object> worker(WorkerNode w) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("node_id", w.nodeId());
    out.put("live", w.live());
    out.put("info", w.info());
    out.put("created_at", w.registeredAt().toString());
    out.put("registered_at", w.registeredAt().toString());
    out.put("heartbeat_at", w.heartbeatAt().toString());
    out.put("stopped_at", time(w.stoppedAt()));
    return out;
  }

  private static String time(Optional<Instant> t) {
    return t.map(Instant::toString).orElse(null);
  }
}
