package io.ampd.metadb;

import io.ampd.registry.DatasetRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The admin API's changes to {@code jobs}: deploy, stop, resume, delete. Each is one transaction.
 * Stop, resume and delete lock the job's row before they decide, so two requests at once never both
 * act; of two deploys at once, one loses on the one-active-job index and returns the other's job.
 * The rules of every status change are in {@link JobSql}.
 */
public final class JobAdmin {
  private final DataSource dataSource;

  public JobAdmin(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The result of a deploy: the dataset's active job, and whether this call created it. */
  public record Deployed(Job job, boolean created) {}

  /**
   * What a deploy asks for.
   *
   * @param fresh a fresh extraction into new revisions (a redump) instead of continuing the tables'
   *     active revisions
   * @param tables the dataset version's tables, for {@code endBlock}'s check
   * @param endBlock the last block the job extracts, when it is known now: if every table's active
   *     revision has recorded it already, there is nothing to extract
   * @param descriptor fields written into the new job's descriptor (Amp's {@code end_block}, {@code
   *     max_writers}, …)
   * @param worker a worker selector, an exact node id or a glob ({@code *}, {@code ?}), that the
   *     new job's first worker must match
   */
  public record DeployOptions(
      boolean fresh,
      List<String> tables,
      OptionalLong endBlock,
      Map<String, Object> descriptor,
      Optional<String> worker) {
    /** Continue the active revisions; no check of what they hold, nothing more. */
    public static final DeployOptions NONE =
        new DeployOptions(false, List.of(), OptionalLong.empty(), Map.of(), Optional.empty());

    /** Only descriptor fields and a worker selector. */
    public DeployOptions(Map<String, Object> descriptor, Optional<String> worker) {
      this(false, List.of(), OptionalLong.empty(), descriptor, worker);
    }

    /** Only the revisions' part. */
    public DeployOptions(boolean fresh, List<String> tables, OptionalLong endBlock) {
      this(fresh, tables, endBlock, Map.of(), Optional.empty());
    }
  }

  /** No live worker matches a deploy's worker selector. */
  public static final class WorkerNotAvailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkerNotAvailableException(String selector) {
      super("no live worker matches '" + selector + "'");
    }
  }

  /** As {@link #deploy(DatasetRef, String, String, Duration, DeployOptions)}, continuing. */
  public Deployed deploy(DatasetRef dataset, String kind, String provider, Duration workerTimeout) {
    return deploy(dataset, kind, provider, workerTimeout, DeployOptions.NONE);
  }

  /**
   * Creates a job for {@code dataset} unless it already has an active one, which is returned
   * instead. The new job is assigned to the least busy live worker, or waits with no node. The
   * provider row is read {@code FOR SHARE}, so a concurrent delete of the provider either sees this
   * job or makes this deploy fail.
   *
   * <p>When the job would have nothing to extract (not fresh, an end block, and every table's
   * active revision has recorded it), no job runs: the newest COMPLETED job of the version is
   * returned, or, when there is none, a job is created COMPLETED.
   *
   * @throws IllegalArgumentException when the provider does not exist (any more)
   * @throws WorkerNotAvailableException when a worker selector is given and no live worker matches
   *     it
   */
  public Deployed deploy(
      DatasetRef dataset,
      String kind,
      String provider,
      Duration workerTimeout,
      DeployOptions options) {
    for (int attempt = 0; ; attempt++) {
      Optional<Deployed> done =
          Sql.inTransaction(
              dataSource,
              c -> {
                Optional<Job> active = activeJob(c, dataset);
                if (active.isPresent()) {
                  return Optional.of(new Deployed(active.get(), false));
                }
                if (!providerExists(c, provider)) {
                  throw new IllegalArgumentException("provider '" + provider + "' does not exist");
                }
                boolean extracted =
                    !options.fresh()
                        && options.endBlock().isPresent()
                        && extracted(c, dataset, options.tables(), options.endBlock().getAsLong());
                if (extracted) {
                  Optional<Job> completed = lastCompleted(c, dataset);
                  if (completed.isPresent()) {
                    return Optional.of(new Deployed(completed.get(), false));
                  }
                }
                Optional<String> node =
                    extracted
                        ? Optional.empty()
                        : options.worker().isEmpty()
                            ? JobSql.pickWorker(c, workerTimeout)
                            : pickWorkerMatching(c, workerTimeout, options.worker().get());
                Map<String, Object> descriptor = new LinkedHashMap<>();
                descriptor.put("kind", kind);
                descriptor.put("provider", provider);
                if (options.fresh()) {
                  descriptor.put("fresh", true);
                }
                options.descriptor().forEach(descriptor::putIfAbsent);
                JobStatus status = extracted ? JobStatus.COMPLETED : JobStatus.SCHEDULED;
                Long id;
                try (PreparedStatement ps =
                        Sql.prepare(
                            c,
                            "INSERT INTO jobs (idempotency_key, node_id, dataset_namespace,"
                                + " dataset_name, dataset_version, descriptor, status) VALUES (?,"
                                + " ?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT DO NOTHING RETURNING id",
                            dataset + "#" + UUID.randomUUID(),
                            node.orElse(null),
                            dataset.namespace(),
                            dataset.name(),
                            dataset.version(),
                            Sql.json(descriptor),
                            status.name());
                    ResultSet rs = ps.executeQuery()) {
                  id = rs.next() ? rs.getLong(1) : null;
                }
                if (id == null) {
                  return Optional.<Deployed>empty(); // a concurrent deploy won: read its job
                }
                if (extracted) {
                  JobSql.event(
                      c,
                      id,
                      null,
                      "completed",
                      JobSql.detail(
                          "status",
                          JobStatus.COMPLETED,
                          "reason",
                          "blocks up to "
                              + options.endBlock().getAsLong()
                              + " are extracted already",
                          "provider",
                          provider));
                  return Optional.of(new Deployed(JobSql.find(c, id).orElseThrow(), true));
                }
                JobSql.event(
                    c,
                    id,
                    null,
                    "scheduled",
                    JobSql.detail(
                        "status",
                        JobStatus.SCHEDULED,
                        "node_id",
                        node.orElse(null),
                        "provider",
                        provider));
                node.ifPresent(n -> JobSql.notify(c, id, n, "start"));
                return Optional.of(new Deployed(JobSql.find(c, id).orElseThrow(), true));
              });
      if (done.isPresent()) {
        return done.get();
      }
      if (attempt >= 3) {
        throw new IllegalStateException("deploy of " + dataset + " kept racing other deploys");
      }
    }
  }

  /** What a stop request did. */
  public enum StopOutcome {
    /** The job was not running anywhere and is STOPPED now. */
    STOPPED,
    /** Its worker was told to stop it (STOP_REQUESTED). */
    REQUESTED,
    /** A stop was already under way; nothing changed. */
    ALREADY_STOPPING,
    /** The job had already finished. */
    FINISHED,
    /** No such job. */
    NOT_FOUND
  }

  /**
   * Asks for a job to stop. A job on a worker goes STOP_REQUESTED and its worker is notified; a job
   * no worker holds (waiting for a worker, or in ERROR waiting for a retry) stops at once.
   */
  public StopOutcome requestStop(long id) {
    return Sql.inTransaction(
        dataSource,
        c -> {
          Optional<Job> job = lockJob(c, id);
          if (job.isEmpty()) {
            return StopOutcome.NOT_FOUND;
          }
          Job j = job.get();
          switch (j.status()) {
            case COMPLETED, STOPPED, FATAL:
              return StopOutcome.FINISHED;
            case STOP_REQUESTED, STOPPING:
              return StopOutcome.ALREADY_STOPPING;
            default:
              break;
          }
          if (j.status() == JobStatus.ERROR
              || (j.status() == JobStatus.SCHEDULED && j.nodeId().isEmpty())) {
            // No worker holds it: it stops here and now.
            JobSql.transition(
                c,
                id,
                null,
                List.of(j.status()),
                JobStatus.STOPPED,
                null,
                "stopped",
                JobSql.detail("status", JobStatus.STOPPED, "reason", "stop requested"));
            return StopOutcome.STOPPED;
          }
          JobSql.transition(
              c,
              id,
              null,
              List.of(JobStatus.SCHEDULED, JobStatus.RUNNING),
              JobStatus.STOP_REQUESTED,
              null,
              "stop_requested",
              JobSql.detail(
                  "status", JobStatus.STOP_REQUESTED, "node_id", j.nodeId().orElse(null)));
          JobSql.notify(c, id, j.nodeId().orElseThrow(), "stop");
          return StopOutcome.REQUESTED;
        });
  }

  /** What a resume request did. */
  public enum ResumeOutcome {
    /** The job was STOPPED or in ERROR and is SCHEDULED again, on a live worker if there is one. */
    RESUMED,
    /** The job is already scheduled or running: nothing changed. */
    ALREADY_ACTIVE,
    /** The job is being stopped, has completed, or failed for good: nothing to resume. */
    NOT_RESUMABLE,
    /** Another job of the same dataset version is active: at most one extracts it. */
    OTHER_ACTIVE,
    /** No such job. */
    NOT_FOUND
  }

  /**
   * Resumes a STOPPED or ERROR job: back to SCHEDULED, on the least busy live worker (notified) or
   * waiting for one, and its run continues from the job's recorded progress. An ERROR job goes at
   * once instead of at its retry time.
   */
  public ResumeOutcome resume(long id, Duration workerTimeout) {
    return Sql.inTransaction(
        dataSource,
        c -> {
          Optional<Job> job = lockJob(c, id);
          if (job.isEmpty()) {
            return ResumeOutcome.NOT_FOUND;
          }
          Job j = job.get();
          switch (j.status()) {
            case SCHEDULED, RUNNING:
              return ResumeOutcome.ALREADY_ACTIVE;
            case STOPPED, ERROR:
              break;
            default:
              return ResumeOutcome.NOT_RESUMABLE;
          }
          Optional<Job> active = activeJob(c, j.dataset());
          if (active.isPresent() && active.get().id() != id) {
            return ResumeOutcome.OTHER_ACTIVE;
          }
          Optional<String> node = JobSql.pickWorker(c, workerTimeout);
          JobSql.reassign(
              c,
              id,
              List.of(JobStatus.STOPPED, JobStatus.ERROR),
              null,
              node.orElse(null),
              null,
              "resumed",
              JobSql.detail(
                  "status", JobStatus.SCHEDULED, "node_id", node.orElse(null), "from", j.status()));
          return ResumeOutcome.RESUMED;
        });
  }

  /** What a delete did. */
  public enum DeleteOutcome {
    DELETED,
    NOT_FINISHED,
    NOT_FOUND
  }

  /** Deletes a finished job with its events; an active job is refused. */
  public DeleteOutcome delete(long id) {
    return Sql.inTransaction(
        dataSource,
        c -> {
          Optional<Job> job = lockJob(c, id);
          if (job.isEmpty()) {
            return DeleteOutcome.NOT_FOUND;
          }
          if (!job.get().status().terminal()) {
            return DeleteOutcome.NOT_FINISHED;
          }
          Sql.update(c, "DELETE FROM jobs WHERE id = ?", id);
          return DeleteOutcome.DELETED;
        });
  }

  /**
   * Deletes every job in one of {@code statuses} with its events, of the finished ones only ({@link
   * JobStatus#terminal()}): a status that is not is ignored. Returns how many went.
   */
  public int deleteByStatus(Set<JobStatus> statuses) {
    List<JobStatus> finished = statuses.stream().filter(JobStatus::terminal).toList();
    if (finished.isEmpty()) {
      return 0;
    }
    return Sql.inTransaction(
        dataSource,
        c -> Sql.update(c, "DELETE FROM jobs WHERE status = ANY(?)", JobSql.statuses(c, finished)));
  }

  private static boolean providerExists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
            Sql.prepare(c, "SELECT 1 FROM providers WHERE name = ? FOR SHARE", name);
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** Whether every one of {@code tables} has an active revision that recorded {@code end}. */
  private static boolean extracted(Connection c, DatasetRef dataset, List<String> tables, long end)
      throws SQLException {
    if (tables.isEmpty()) {
      return false;
    }
    try (PreparedStatement ps =
            Sql.prepare(
                c,
                "SELECT count(DISTINCT r.table_name) FROM table_revisions r"
                    + " JOIN extraction_progress p ON p.revision_id = r.id"
                    + " WHERE r.active AND r.dataset_namespace = ? AND r.dataset_name = ?"
                    + " AND r.dataset_version = ? AND r.table_name = ANY(?) AND p.last_block >= ?",
                dataset.namespace(),
                dataset.name(),
                dataset.version(),
                c.createArrayOf("text", tables.toArray()),
                end);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1) == tables.size();
    }
  }

  private static Optional<Job> lastCompleted(Connection c, DatasetRef dataset) throws SQLException {
    return JobSql.query(
            c,
            "SELECT "
                + JobSql.COLUMNS
                + " FROM jobs WHERE dataset_namespace = ? AND dataset_name = ?"
                + " AND dataset_version = ? AND status = 'COMPLETED' ORDER BY id DESC LIMIT 1",
            dataset.namespace(),
            dataset.name(),
            dataset.version())
        .stream()
        .findFirst();
  }

  private static Optional<Job> activeJob(Connection c, DatasetRef dataset) throws SQLException {
    List<Job> jobs =
        JobSql.query(
            c,
            "SELECT "
                + JobSql.COLUMNS
                + " FROM jobs WHERE dataset_namespace = ?"
                + " AND dataset_name = ? AND dataset_version = ? AND status = ANY(?)",
            dataset.namespace(),
            dataset.name(),
            dataset.version(),
            JobSql.statuses(c, JobStatus.ACTIVE));
    return jobs.stream().findFirst();
  }

  private static Optional<Job> lockJob(Connection c, long id) throws SQLException {
    return JobSql.query(c, "SELECT " + JobSql.COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE", id)
        .stream()
        .findFirst();
  }

  /** The least busy live worker whose node id matches {@code selector} (exact, or a glob). */
  private static Optional<String> pickWorkerMatching(
      Connection c, Duration workerTimeout, String selector) throws SQLException {
    String like = globToLike(selector);
    String sql =
        JobSql.PICK_WORKER.replace(" GROUP BY", " AND w.node_id LIKE ? ESCAPE '\\' GROUP BY");
    try (PreparedStatement ps = Sql.prepare(c, sql, JobSql.seconds(workerTimeout), like);
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        return Optional.of(rs.getString(1));
      }
    }
    throw new WorkerNotAvailableException(selector);
  }

  /** A glob ({@code *} any run, {@code ?} one character) as a LIKE pattern escaped with \. */
  static String globToLike(String glob) {
    StringBuilder out = new StringBuilder();
    for (char ch : glob.toCharArray()) {
      switch (ch) {
        case '*' -> out.append('%');
        case '?' -> out.append('_');
        case '%', '_', '\\' -> out.append('\\').append(ch);
        default -> out.append(ch);
      }
    }
    return out.toString();
  }
}
