package io.ampd.metadb;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.registry.DatasetRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The SQL of {@code jobs} and {@code job_events}, for the controller (deploy, stop, delete,
 * scheduling) and the worker (start, finish, release).
 *
 * <p><b>Rules.</b> Every status change is a compare-and-set ({@code UPDATE … WHERE status =
 * ANY(?)}, plus the node for a worker's own changes) and writes a {@code job_events} row in the
 * same transaction; a change a worker must act on also sends {@code pg_notify('job_actions', …)} in
 * that transaction, so the notification is delivered exactly when the change is visible. A change
 * that loses its race returns false and writes nothing. Liveness of workers is judged by the
 * database clock ({@code now()}), so clocks of the hosts never matter.
 *
 * <p>Notification payload: {@code {"job_id": 7, "node_id": "w1", "action": "start"|"stop"}}.
 */
public final class JobRepository {
  /** The channel workers listen on. */
  public static final String CHANNEL = "job_actions";

  private static final String COLUMNS =
      "id, dataset_namespace, dataset_name, dataset_version, descriptor->>'kind' AS kind,"
          + " descriptor->>'provider' AS provider, node_id, status, attempts, next_attempt_at,"
          + " last_error, created_at, updated_at";

  /** Workers with a fresh heartbeat, least busy first; {@code ?} is the timeout in seconds. */
  private static final String PICK_WORKER =
      "SELECT w.node_id FROM workers w"
          + " LEFT JOIN jobs j ON j.node_id = w.node_id"
          + " AND j.status IN ('SCHEDULED', 'RUNNING', 'STOP_REQUESTED', 'STOPPING')"
          + " WHERE w.stopped_at IS NULL"
          + " AND w.heartbeat_at > now() - make_interval(secs => ?)"
          + " GROUP BY w.node_id ORDER BY count(j.id), w.node_id LIMIT 1";

  private final DataSource dataSource;

  public JobRepository(DataSource dataSource) {
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
                            ? pickWorker(c, workerTimeout)
                            : pickWorker(c, workerTimeout, options.worker().get());
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
                  event(
                      c,
                      id,
                      null,
                      "completed",
                      detail(
                          "status",
                          JobStatus.COMPLETED,
                          "reason",
                          "blocks up to "
                              + options.endBlock().getAsLong()
                              + " are extracted already",
                          "provider",
                          provider));
                  return Optional.of(new Deployed(find(c, id).orElseThrow(), true));
                }
                event(
                    c,
                    id,
                    null,
                    "scheduled",
                    detail(
                        "status",
                        JobStatus.SCHEDULED,
                        "node_id",
                        node.orElse(null),
                        "provider",
                        provider));
                node.ifPresent(n -> notify(c, id, n, "start"));
                return Optional.of(new Deployed(find(c, id).orElseThrow(), true));
              });
      if (done.isPresent()) {
        return done.get();
      }
      if (attempt >= 3) {
        throw new IllegalStateException("deploy of " + dataset + " kept racing other deploys");
      }
    }
  }

  public Optional<Job> find(long id) {
    return Sql.autoCommit(dataSource, c -> find(c, id));
  }

  /** Jobs newest first, optionally of one status, at most {@code limit}. */
  public List<Job> list(Optional<JobStatus> status, int limit) {
    return list(status.map(Set::of).orElse(Set.of()), limit, OptionalLong.empty());
  }

  /**
   * Jobs newest first, at most {@code limit}: of {@code statuses} (empty: any), and with ids below
   * {@code before} when given (Amp's cursor: the last id of the previous page).
   */
  public List<Job> list(Set<JobStatus> statuses, int limit, OptionalLong before) {
    return Sql.autoCommit(
        dataSource,
        c -> {
          List<String> where = new ArrayList<>();
          List<Object> params = new ArrayList<>();
          if (!statuses.isEmpty()) {
            where.add("status = ANY(?)");
            params.add(statuses(c, statuses));
          }
          if (before.isPresent()) {
            where.add("id < ?");
            params.add(before.getAsLong());
          }
          params.add(limit);
          return query(
              c,
              "SELECT "
                  + COLUMNS
                  + " FROM jobs"
                  + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                  + " ORDER BY id DESC LIMIT ?",
              params.toArray());
        });
  }

  /** Jobs assigned to {@code nodeId} that a worker holds (scheduled, running, stopping). */
  public List<Job> jobsOf(String nodeId) {
    return Sql.autoCommit(
        dataSource,
        c ->
            query(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM jobs WHERE node_id = ? AND status = ANY(?) ORDER BY id",
                nodeId,
                statuses(c, JobStatus.ON_WORKER)));
  }

  /** The events of a job, oldest first. */
  public List<JobEvent> events(long jobId) {
    return Sql.autoCommit(
        dataSource,
        c -> {
          List<JobEvent> out = new ArrayList<>();
          try (PreparedStatement ps =
                  Sql.prepare(
                      c,
                      "SELECT id, job_id, node_id, event_type, detail::text AS detail, created_at"
                          + " FROM job_events WHERE job_id = ? ORDER BY id",
                      jobId);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(
                  new JobEvent(
                      rs.getLong("id"),
                      rs.getLong("job_id"),
                      Optional.ofNullable(rs.getString("node_id")),
                      rs.getString("event_type"),
                      Sql.jsonNode(rs.getString("detail")),
                      Sql.instant(rs, "created_at")));
            }
          }
          return out;
        });
  }

  // ---- controller: stop and delete ----

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
            transition(
                c,
                id,
                null,
                List.of(j.status()),
                JobStatus.STOPPED,
                null,
                "stopped",
                detail("status", JobStatus.STOPPED, "reason", "stop requested"));
            return StopOutcome.STOPPED;
          }
          transition(
              c,
              id,
              null,
              List.of(JobStatus.SCHEDULED, JobStatus.RUNNING),
              JobStatus.STOP_REQUESTED,
              null,
              "stop_requested",
              detail("status", JobStatus.STOP_REQUESTED, "node_id", j.nodeId().orElse(null)));
          notify(c, id, j.nodeId().orElseThrow(), "stop");
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
          Optional<String> node = pickWorker(c, workerTimeout);
          reassign(
              c,
              id,
              List.of(JobStatus.STOPPED, JobStatus.ERROR),
              null,
              node.orElse(null),
              null,
              "resumed",
              detail(
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
        c -> Sql.update(c, "DELETE FROM jobs WHERE status = ANY(?)", statuses(c, finished)));
  }

  // ---- controller: scheduling ----

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
            Optional<String> node = pickWorker(c, workerTimeout);
            if (node.isEmpty()) {
              break;
            }
            if (reassign(
                c,
                id,
                List.of(JobStatus.SCHEDULED),
                null,
                node.get(),
                null,
                "assigned",
                detail("status", JobStatus.SCHEDULED, "node_id", node.get()))) {
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
            Optional<String> node = pickWorker(c, workerTimeout);
            int attempts = find(c, id).orElseThrow().attempts();
            if (reassign(
                c,
                id,
                List.of(JobStatus.ERROR),
                null,
                node.orElse(null),
                null,
                "retry",
                detail(
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
              query(
                  c,
                  "SELECT "
                      + COLUMNS
                      + " FROM jobs WHERE status = ANY(?) AND node_id IN"
                      + " (SELECT node_id FROM workers WHERE stopped_at IS NOT NULL"
                      + " OR heartbeat_at <= now() - make_interval(secs => ?))"
                      + " ORDER BY id FOR UPDATE SKIP LOCKED",
                  statuses(c, JobStatus.ON_WORKER),
                  seconds(workerTimeout));
          int moved = 0;
          for (Job job : orphans) {
            String from = job.nodeId().orElseThrow();
            if (job.status() == JobStatus.STOP_REQUESTED || job.status() == JobStatus.STOPPING) {
              if (transition(
                  c,
                  job.id(),
                  null,
                  List.of(job.status()),
                  JobStatus.STOPPED,
                  from,
                  "stopped",
                  detail("status", JobStatus.STOPPED, "reason", "worker " + from + " is gone"))) {
                moved++;
              }
              continue;
            }
            Optional<String> to = pickWorker(c, workerTimeout);
            if (reassign(
                c,
                job.id(),
                List.of(JobStatus.SCHEDULED, JobStatus.RUNNING),
                from,
                to.orElse(null),
                null,
                "rescheduled",
                detail(
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

  // ---- worker: its own jobs ----

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
    Map<String, Object> detail = detail("status", to, "error", error);
    String set =
        to == JobStatus.ERROR
            ? "attempts = attempts + 1, last_error = ?"
            : to == JobStatus.FATAL ? "last_error = ?" : null;
    return Sql.inTransaction(
        dataSource,
        c ->
            transition(
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
            reassign(
                c,
                id,
                List.of(JobStatus.SCHEDULED, JobStatus.RUNNING),
                nodeId,
                null,
                nodeId,
                "worker_stopped",
                detail("status", JobStatus.SCHEDULED, "from_node_id", nodeId, "reason", reason)));
  }

  // ---- the SQL underneath ----

  private boolean transition(
      Connection c,
      long id,
      String requireNode,
      Collection<JobStatus> from,
      JobStatus to,
      String actor,
      String eventType,
      Map<String, Object> detail)
      throws SQLException {
    return transition(c, id, requireNode, from, to, actor, eventType, detail, null, new Object[0]);
  }

  /** A worker moving its own job from one status to another, in a transaction of its own. */
  private boolean workerTransition(
      long id, String nodeId, JobStatus from, JobStatus to, String eventType) {
    return Sql.inTransaction(
        dataSource,
        c -> transition(c, id, nodeId, List.of(from), to, nodeId, eventType, detail("status", to)));
  }

  /**
   * The one compare-and-set: {@code UPDATE … WHERE status = ANY(from)} plus its event. Every change
   * of status clears the retry time: only an ERROR job has one, planned after it got there.
   */
  private boolean transition(
      Connection c,
      long id,
      String requireNode,
      Collection<JobStatus> from,
      JobStatus to,
      String actor,
      String eventType,
      Map<String, Object> detail,
      String extraSet,
      Object[] extraParams)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(to.name());
    params.addAll(List.of(extraParams));
    params.add(id);
    params.add(statuses(c, from));
    String sql =
        "UPDATE jobs SET status = ?, next_attempt_at = NULL"
            + (extraSet == null ? "" : ", " + extraSet)
            + " WHERE id = ? AND status = ANY(?)";
    if (requireNode != null) {
      sql += " AND node_id = ?";
      params.add(requireNode);
    }
    if (Sql.update(c, sql, params.toArray()) == 0) {
      return false;
    }
    event(c, id, actor, eventType, detail);
    return true;
  }

  /**
   * A compare-and-set that also moves the job, as SCHEDULED, to {@code toNode} (null: waiting for a
   * worker); {@code fromNode} non-null also requires the job to be on that node.
   */
  private boolean reassign(
      Connection c,
      long id,
      Collection<JobStatus> from,
      String fromNode,
      String toNode,
      String actor,
      String eventType,
      Map<String, Object> detail)
      throws SQLException {
    String sql =
        "UPDATE jobs SET status = 'SCHEDULED', node_id = ?, next_attempt_at = NULL"
            + " WHERE id = ? AND status = ANY(?)"
            + (fromNode == null ? "" : " AND node_id = ?");
    Object[] params =
        fromNode == null
            ? new Object[] {toNode, id, statuses(c, from)}
            : new Object[] {toNode, id, statuses(c, from), fromNode};
    if (Sql.update(c, sql, params) == 0) {
      return false;
    }
    event(c, id, actor, eventType, detail);
    if (toNode != null) {
      notify(c, id, toNode, "start");
    }
    return true;
  }

  private Optional<String> pickWorker(Connection c, Duration workerTimeout) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c, PICK_WORKER, seconds(workerTimeout));
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
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

  private Optional<Job> lastCompleted(Connection c, DatasetRef dataset) throws SQLException {
    return query(
            c,
            "SELECT "
                + COLUMNS
                + " FROM jobs WHERE dataset_namespace = ? AND dataset_name = ?"
                + " AND dataset_version = ? AND status = 'COMPLETED' ORDER BY id DESC LIMIT 1",
            dataset.namespace(),
            dataset.name(),
            dataset.version())
        .stream()
        .findFirst();
  }

  private Optional<Job> activeJob(Connection c, DatasetRef dataset) throws SQLException {
    List<Job> jobs =
        query(
            c,
            "SELECT "
                + COLUMNS
                + " FROM jobs WHERE dataset_namespace = ?"
                + " AND dataset_name = ? AND dataset_version = ? AND status = ANY(?)",
            dataset.namespace(),
            dataset.name(),
            dataset.version(),
            statuses(c, JobStatus.ACTIVE));
    return jobs.stream().findFirst();
  }

  private Optional<Job> find(Connection c, long id) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM jobs WHERE id = ?", id).stream().findFirst();
  }

  private Optional<Job> lockJob(Connection c, long id) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE", id).stream()
        .findFirst();
  }

  private static void event(
      Connection c, long jobId, String nodeId, String type, Map<String, Object> detail)
      throws SQLException {
    Sql.update(
        c,
        "INSERT INTO job_events (job_id, node_id, event_type, detail)"
            + " VALUES (?, ?, ?, ?::jsonb)",
        jobId,
        nodeId,
        type,
        Sql.json(detail));
  }

  private static void notify(Connection c, long jobId, String nodeId, String action) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("job_id", jobId);
    payload.put("node_id", nodeId);
    payload.put("action", action);
    try (PreparedStatement ps =
            Sql.prepare(c, "SELECT pg_notify('" + CHANNEL + "', ?)", Sql.json(payload));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
    } catch (SQLException e) {
      throw new MetadbException(e);
    }
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

  private static List<Job> query(Connection c, String sql, Object... params) throws SQLException {
    List<Job> out = new ArrayList<>();
    try (PreparedStatement ps = Sql.prepare(c, sql, params);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Job(
                rs.getLong("id"),
                new DatasetRef(
                    rs.getString("dataset_namespace"),
                    rs.getString("dataset_name"),
                    rs.getString("dataset_version")),
                rs.getString("kind"),
                rs.getString("provider"),
                Optional.ofNullable(rs.getString("node_id")),
                JobStatus.valueOf(rs.getString("status")),
                rs.getInt("attempts"),
                Sql.optionalInstant(rs, "next_attempt_at"),
                Optional.ofNullable(rs.getString("last_error")),
                Sql.instant(rs, "created_at"),
                Sql.instant(rs, "updated_at")));
      }
    }
    return out;
  }

  private static java.sql.Array statuses(Connection c, Collection<JobStatus> statuses)
      throws SQLException {
    return c.createArrayOf("text", statuses.stream().map(Enum::name).toArray());
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** An event's detail from key/value pairs; null values are left out. */
  private static Map<String, Object> detail(Object... keyValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      Object value = keyValues[i + 1];
      if (value != null) {
        out.put((String) keyValues[i], value instanceof Enum<?> e ? e.name() : value);
      }
    }
    return out;
  }

  // ---- Amp's admin API: descriptors, a dataset version's jobs, deploy to a chosen worker ----

  /** The descriptors of jobs (the JSON object written at deploy), by id; unknown ids are absent. */
  public Map<Long, JsonNode> descriptors(Collection<Long> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    return Sql.autoCommit(
        dataSource,
        c -> {
          Map<Long, JsonNode> out = new LinkedHashMap<>();
          try (PreparedStatement ps =
                  Sql.prepare(
                      c,
                      "SELECT id, descriptor::text FROM jobs WHERE id = ANY(?)",
                      c.createArrayOf("bigint", ids.toArray()));
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.put(rs.getLong(1), Sql.jsonNode(rs.getString(2)));
            }
          }
          return out;
        });
  }

  /** The jobs of one dataset version, newest first. */
  public List<Job> jobsOf(DatasetRef dataset) {
    return Sql.autoCommit(
        dataSource,
        c ->
            query(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM jobs WHERE dataset_namespace = ? AND dataset_name = ?"
                    + " AND dataset_version = ? ORDER BY id DESC",
                dataset.namespace(),
                dataset.name(),
                dataset.version()));
  }

  /** The least busy live worker whose node id matches {@code selector} (exact, or a glob). */
  private static Optional<String> pickWorker(Connection c, Duration workerTimeout, String selector)
      throws SQLException {
    String like = globToLike(selector);
    String sql = PICK_WORKER.replace(" GROUP BY", " AND w.node_id LIKE ? ESCAPE '\\' GROUP BY");
    try (PreparedStatement ps = Sql.prepare(c, sql, seconds(workerTimeout), like);
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
