package io.ampd.metadb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The scheduler's passes over {@code jobs}: retry times for ERROR jobs, retries that are due,
 * waiting jobs assigned to live workers, and the jobs of silent workers moved away. Every pass is
 * one transaction over rows locked {@code FOR UPDATE SKIP LOCKED}, so several controllers may run
 * them against one database at once; a row another controller holds is left for its pass. Retry
 * times and liveness are the database's {@code now()}, never a host's clock.
 */
public final class JobScheduling {
  private final DataSource dataSource;

  public JobScheduling(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Assigns jobs waiting without a node to live workers; returns how many were assigned. */
  public int assignWaiting(Duration workerTimeout) {
    return Sql.inTransaction(
        dataSource,
        c -> {
          int assigned = 0;
          for (long id :
              ids(
                  c,
                  "SELECT id FROM jobs WHERE status = 'SCHEDULED' AND node_id IS NULL"
                      + " ORDER BY id FOR UPDATE SKIP LOCKED")) {
            Optional<String> node = JobSql.pickWorker(c, workerTimeout);
            if (node.isEmpty()) {
              break;
            }
            if (JobSql.reassign(
                c,
                id,
                List.of(JobStatus.SCHEDULED),
                null,
                node.get(),
                null,
                "assigned",
                JobSql.detail("status", JobStatus.SCHEDULED, "node_id", node.get()))) {
              assigned++;
            }
          }
          return assigned;
        });
  }

  /**
   * Gives every ERROR job without a retry time one: its last change plus {@code initial} doubled
   * per earlier failure, at most {@code max}.
   */
  public int planRetries(Duration initial, Duration max) {
    return Sql.autoCommit(
        dataSource,
        c ->
            Sql.update(
                c,
                "UPDATE jobs SET next_attempt_at = updated_at + make_interval(secs =>"
                    + " least(?::float8, ?::float8 * power(2, greatest(attempts - 1, 0))) / 1000)"
                    + " WHERE status = 'ERROR' AND next_attempt_at IS NULL",
                (double) max.toMillis(),
                (double) initial.toMillis()));
  }

  /** Schedules ERROR jobs whose retry time has come, onto a live worker if there is one. */
  public int retryDue(Duration workerTimeout) {
    return Sql.inTransaction(
        dataSource,
        c -> {
          int retried = 0;
          for (long id :
              ids(
                  c,
                  "SELECT id FROM jobs WHERE status = 'ERROR' AND next_attempt_at <= now()"
                      + " ORDER BY next_attempt_at FOR UPDATE SKIP LOCKED")) {
            Optional<String> node = JobSql.pickWorker(c, workerTimeout);
            int attempts = JobSql.find(c, id).orElseThrow().attempts();
            if (JobSql.reassign(
                c,
                id,
                List.of(JobStatus.ERROR),
                null,
                node.orElse(null),
                null,
                "retry",
                JobSql.detail(
                    "status",
                    JobStatus.SCHEDULED,
                    "node_id",
                    node.orElse(null),
                    "attempt",
                    attempts + 1))) {
              retried++;
            }
          }
          return retried;
        });
  }

  /**
   * Moves the jobs of workers silent for longer than {@code workerTimeout} (or stopped) onto live
   * workers, or back to waiting; a job such a worker was asked to stop is STOPPED, since nobody
   * runs it any more. Each move is an event naming both nodes.
   */
  public int rescheduleFromDeadWorkers(Duration workerTimeout) {
    return Sql.inTransaction(
        dataSource,
        c -> {
          List<Job> orphans =
              JobSql.query(
                  c,
                  "SELECT "
                      + JobSql.COLUMNS
                      + " FROM jobs WHERE status = ANY(?) AND node_id IN"
                      + " (SELECT node_id FROM workers WHERE stopped_at IS NOT NULL"
                      + " OR heartbeat_at <= now() - make_interval(secs => ?))"
                      + " ORDER BY id FOR UPDATE SKIP LOCKED",
                  JobSql.statuses(c, JobStatus.ON_WORKER),
                  JobSql.seconds(workerTimeout));
          int moved = 0;
          for (Job job : orphans) {
            String from = job.nodeId().orElseThrow();
            if (job.status() == JobStatus.STOP_REQUESTED || job.status() == JobStatus.STOPPING) {
              if (JobSql.transition(
                  c,
                  job.id(),
                  null,
                  List.of(job.status()),
                  JobStatus.STOPPED,
                  from,
                  "stopped",
                  JobSql.detail(
                      "status", JobStatus.STOPPED, "reason", "worker " + from + " is gone"))) {
                moved++;
              }
              continue;
            }
            Optional<String> to = JobSql.pickWorker(c, workerTimeout);
            if (JobSql.reassign(
                c,
                job.id(),
                List.of(JobStatus.SCHEDULED, JobStatus.RUNNING),
                from,
                to.orElse(null),
                null,
                "rescheduled",
                JobSql.detail(
                    "status",
                    JobStatus.SCHEDULED,
                    "from_node_id",
                    from,
                    "node_id",
                    to.orElse(null),
                    "reason",
                    "worker " + from + " is silent"))) {
              moved++;
            }
          }
          return moved;
        });
  }

  private static List<Long> ids(Connection c, String sql) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }
}
