package io.ampd.metadb;

import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Where a worker records its runs: a job it starts, resumes after a crash of the same node id,
 * stops, finishes or gives back when it shuts down. Every change is a compare-and-set that also
 * requires the job to be on this worker's node ({@link JobSql}), in a transaction of its own: a run
 * whose job was moved away meanwhile (its node judged dead) records nothing, and learns so from the
 * false it gets back.
 *
 * <p>Workers listen on {@link #CHANNEL} for the changes they must act on.
 */
public final class RunLedger {
  /** The channel workers listen on. */
  public static final String CHANNEL = "job_actions";

  private final DataSource dataSource;

  public RunLedger(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** SCHEDULED → RUNNING for a job assigned to {@code nodeId}. */
  public boolean start(long id, String nodeId) {
    return workerTransition(id, nodeId, JobStatus.SCHEDULED, JobStatus.RUNNING, "started");
  }

  /**
   * Records that {@code nodeId} runs again a job it held RUNNING (a restart of the same node id
   * after a crash; the node's lock proves the earlier process is gone).
   */
  public boolean resume(long id, String nodeId) {
    return workerTransition(id, nodeId, JobStatus.RUNNING, JobStatus.RUNNING, "resumed");
  }

  /** STOP_REQUESTED → STOPPING: the worker has told the run to stop. */
  public boolean stopping(long id, String nodeId) {
    return workerTransition(id, nodeId, JobStatus.STOP_REQUESTED, JobStatus.STOPPING, "stopping");
  }

  /**
   * Ends a run of {@code nodeId}: to COMPLETED, STOPPED, ERROR (counting an attempt and keeping
   * {@code error}) or FATAL, from any status a worker holds.
   */
  public boolean finish(long id, String nodeId, JobStatus to, String error) {
    String eventType = to.name().toLowerCase(java.util.Locale.ROOT);
    Map<String, Object> detail = JobSql.detail("status", to, "error", error);
    String set =
        to == JobStatus.ERROR
            ? "attempts = attempts + 1, last_error = ?"
            : to == JobStatus.FATAL ? "last_error = ?" : null;
    return Sql.inTransaction(
        dataSource,
        c ->
            JobSql.transition(
                c,
                id,
                nodeId,
                List.of(JobStatus.RUNNING, JobStatus.STOP_REQUESTED, JobStatus.STOPPING),
                to,
                nodeId,
                eventType,
                detail,
                set,
                set == null ? new Object[0] : new Object[] {error}));
  }

  /**
   * A worker that shuts down gives a job back: RUNNING or SCHEDULED → SCHEDULED without a node, so
   * the controller assigns it to a live worker (or this one, when it starts again).
   */
  public boolean release(long id, String nodeId, String reason) {
    return Sql.inTransaction(
        dataSource,
        c ->
            JobSql.reassign(
                c,
                id,
                List.of(JobStatus.SCHEDULED, JobStatus.RUNNING),
                nodeId,
                null,
                nodeId,
                "worker_stopped",
                JobSql.detail(
                    "status", JobStatus.SCHEDULED, "from_node_id", nodeId, "reason", reason)));
  }

  /** A worker moving its own job from one status to another, in a transaction of its own. */
  private boolean workerTransition(
      long id, String nodeId, JobStatus from, JobStatus to, String eventType) {
    return Sql.inTransaction(
        dataSource,
        c ->
            JobSql.transition(
                c, id, nodeId, List.of(from), to, nodeId, eventType, JobSql.detail("status", to)));
  }
}
