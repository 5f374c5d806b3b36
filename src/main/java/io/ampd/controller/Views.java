package io.ampd.controller;

import io.ampd.metadb.Job;
import io.ampd.metadb.JobEvent;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.WorkerNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The JSON shapes of jobs, events, progress and workers in the admin API. */
final class Views {
  private Views() {}

  static Map<String, Object> job(Job job) {
    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("namespace", job.dataset().namespace());
    dataset.put("name", job.dataset().name());
    dataset.put("version", job.dataset().version());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", job.id());
    out.put("dataset", dataset);
    out.put("kind", job.kind());
    out.put("provider", job.provider());
    out.put("node_id", job.nodeId().orElse(null));
    out.put("status", job.status().name());
    out.put("attempts", job.attempts());
    // Only a job that will be retried has a next attempt (a job stopped while it waited for its
    // retry kept one in databases written before that was cleared).
    out.put("next_attempt_at", job.status() == JobStatus.ERROR ? time(job.nextAttemptAt()) : null);
    out.put("last_error", job.lastError().orElse(null));
    out.put("created_at", job.createdAt().toString());
    out.put("updated_at", job.updatedAt().toString());
    return out;
  }

  static Map<String, Object> event(JobEvent event) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", event.id());
    out.put("job_id", event.jobId());
    out.put("node_id", event.nodeId().orElse(null));
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
    out.put("registered_at", w.registeredAt().toString());
    out.put("heartbeat_at", w.heartbeatAt().toString());
    out.put("stopped_at", time(w.stoppedAt()));
    return out;
  }

  private static String time(Optional<Instant> t) {
    return t.map(Instant::toString).orElse(null);
  }
}
