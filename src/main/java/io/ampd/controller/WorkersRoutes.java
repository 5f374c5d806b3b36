package io.ampd.controller;

import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.Job;
import io.ampd.metadb.JobQueries;
import io.ampd.metadb.WorkerNode;
import io.ampd.metadb.WorkerRepository;
import io.ampd.registry.NodeId;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@code GET /workers} and {@code GET /workers/{node_id}}: registered workers, whether each is live
 * (a heartbeat within {@code controller.worker_timeout_secs} and not stopped), and for one worker
 * the ids of the jobs it holds. A worker carries Amp's fields ({@code node_id}, {@code info},
 * {@code created_at}, {@code registered_at}, {@code heartbeat_at}) and ampd's ({@code live}, {@code
 * stopped_at}). Errors: 400 {@code INVALID_WORKER_ID}, 404 {@code WORKER_NOT_FOUND} (Amp's codes).
 */
public final class WorkersRoutes implements Routes {
  private final WorkerRepository workers;
  private final JobQueries jobs;
  private final Duration workerTimeout;

  public WorkersRoutes(DataSource dataSource, Duration workerTimeout) {
    this.workers = new WorkerRepository(dataSource);
    this.jobs = new JobQueries(dataSource);
    this.workerTimeout = workerTimeout;
  }

  @Override
  public void register(Router router) {
    router
        .get(
            "/workers",
            r ->
                Response.ok(
                    Map.of(
                        "workers",
                        workers.list(workerTimeout).stream().map(Views::worker).toList())))
        .get("/workers/{node_id}", this::show);
  }

  private Response show(Request r) {
    String nodeId = r.param("node_id");
    try {
      NodeId.validate(nodeId);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "INVALID_WORKER_ID", "invalid worker node ID: " + e.getMessage());
    }
    WorkerNode node =
        workers
            .find(nodeId, workerTimeout)
            .orElseThrow(
                () ->
                    ApiException.notFound("WORKER_NOT_FOUND", "worker '" + nodeId + "' not found"));
    Map<String, Object> out = Views.worker(node);
    out.put("jobs", jobs.jobsOf(nodeId).stream().map(Job::id).toList());
    return Response.ok(out);
  }
}
