package io.ampd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.core.AmpdException;
import io.ampd.core.Clock;
import io.ampd.metadb.Catalog;
import io.ampd.metadb.Job;
import io.ampd.metadb.JobRepository;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.PgDriver;
import io.ampd.metadb.WorkerRepository;
import io.ampd.registry.Dataset;
import io.ampd.registry.EndBlock;
import io.ampd.registry.ProviderConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker role: registers its node, proves it is alive, and runs the jobs assigned to it.
 *
 * <p><b>Connections.</b> Two dedicated sessions, not from the pool: the <i>lock</i> session holds
 * the node's session advisory lock for the worker's whole life and carries its heartbeat (so a
 * recorded heartbeat proves the lock is held), and the <i>listen</i> session waits for {@code
 * job_actions} notifications. Job status changes and the runners use the pool.
 *
 * <p><b>Threads.</b> {@code worker-heartbeat} heartbeats every {@code heartbeat_interval}; if the
 * lock session is lost the worker can no longer prove it is the only one with its node id, so it
 * stops its runs at once, records nothing more, and tries to take the lock again on a new session
 * (a restart of PostgreSQL); if another worker took it, or the database stays away, it reports a
 * fatal error (the process exits 1). {@code worker-listen} reconciles on every notification and at
 * least every {@code reconcile_interval}: it reads the node's jobs and makes the runs match them
 * (start SCHEDULED, resume RUNNING ones a crashed earlier process left, stop STOP_REQUESTED).
 * Reconciling is the only place runs start, on that one thread. Each run has a thread {@code
 * job-<id>} which sets the final status from how the runner ended (see {@link JobRunner}); every
 * write is a compare-and-set on this node, so a run whose job was taken away (its node was judged
 * dead) writes nothing.
 *
 * <p><b>Stop.</b> {@link #close()} stops reconciling, asks every run to stop and waits up to {@code
 * stopTimeout}. A job a user asked to stop ends STOPPED; any other interrupted job goes back to
 * SCHEDULED without a node (event {@code worker_stopped}) so the controller hands it to a live
 * worker, or to this one when it starts again, and the run resumes from its recorded progress. Then
 * the node is marked stopped and the lock session closed.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How long a worker that lost its lock session tries to get the lock back. */
  static final Duration RELOCK_WINDOW = Duration.ofSeconds(30);

  /**
   * How long another session may hold the node lock, while this worker's old session is gone,
   * before the worker concludes that another worker has its node id.
   */
  static final Duration HELD_ELSEWHERE = Duration.ofSeconds(2);

  /** How long the worker waits between tries to take its node lock again. */
  static final Duration RELOCK_PAUSE = Duration.ofMillis(250);

  /** How long the worker waits for its lock session to answer whether it is alive. */
  private static final Duration LOCK_SESSION_CHECK = Duration.ofSeconds(2);

  /** How long {@link #close} waits for the listen and heartbeat threads to end. */
  private static final Duration THREAD_END_WAIT = Duration.ofSeconds(5);

  /** How long {@link #close} waits for a run it interrupted after the stop timeout. */
  private static final Duration INTERRUPTED_RUN_WAIT = Duration.ofSeconds(1);

  /** Told when the worker cannot go on (lost its node lock). */
  public interface Listener {
    void onFatal(AmpdException error);
  }

  private final class Run {
    final Job job;
    final StopFlag stop = new StopFlag();
    volatile boolean userStop;
    volatile boolean shutdown;
    Thread thread;

    Run(Job job) {
      this.job = job;
    }
  }

  private final WorkerSettings settings;
  private final String nodeId;
  private final DataSource pool;
  private final JobRepository jobs;
  private final Catalog catalog;
  private final Map<String, JobRunner> runners;
  private final Listener listener;
  private final Clock clock;
  private final Object lockGuard = new Object();
  private volatile Connection lockConnection;
  private final Map<Long, Run> runs = new ConcurrentHashMap<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean lockLost = new AtomicBoolean();

  /**
   * Held to launch a run and to tell every run to stop: a reconcile that read the jobs before the
   * lock was lost (or the worker began to close) cannot launch a run after they were told.
   */
  private final Object runsGuard = new Object();

  /** The server process of the lock session ({@code pg_backend_pid()}); 0 if unknown. */
  private volatile int lockSessionPid;

  private final Thread heartbeatThread;
  private final Thread listenThread;
  private volatile Connection listenConnection;

  private Worker(
      WorkerSettings settings,
      DataSource pool,
      Catalog catalog,
      Map<String, JobRunner> runners,
      Listener listener,
      Clock clock,
      Connection lockConnection) {
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.pool = pool;
    this.jobs = new JobRepository(pool);
    this.catalog = catalog;
    this.runners = Map.copyOf(runners);
    this.listener = listener;
    this.clock = clock;
    this.lockConnection = lockConnection;
    this.lockSessionPid = backendPid(lockConnection);
    this.heartbeatThread = new Thread(this::heartbeatLoop, "worker-heartbeat");
    this.listenThread = new Thread(this::listenLoop, "worker-listen");
    heartbeatThread.setDaemon(true);
    listenThread.setDaemon(true);
  }

  /**
   * Takes the node lock, registers the node and starts heartbeating, listening and running its
   * jobs.
   *
   * @param runners the runner of each job kind; a job of another kind ends FATAL
   * @throws AmpdException when another running worker has the node id, or the database cannot be
   *     reached
   */
  public static Worker start(
      WorkerSettings settings,
      DataSource pool,
      Catalog catalog,
      Map<String, JobRunner> runners,
      Listener listener) {
    return start(settings, pool, catalog, runners, listener, Clock.system());
  }

  /** {@link #start}, its heartbeats, reconciles and waits paced by {@code clock}. */
  public static Worker start(
      WorkerSettings settings,
      DataSource pool,
      Catalog catalog,
      Map<String, JobRunner> runners,
      Listener listener,
      Clock clock) {
    String nodeId = settings.nodeId();
    Connection lock = connect(settings, "lock");
    try {
      if (!WorkerRepository.tryLock(lock, nodeId)) {
        throw new AmpdException(
            "worker node id '" + nodeId + "' is already in use by another running worker",
            "stop that worker first, or give this one another node id with --node-id or"
                + " AMP_NODE_ID");
      }
      WorkerRepository.register(lock, nodeId, settings.info());
      Worker worker = new Worker(settings, pool, catalog, runners, listener, clock, lock);
      worker.listenConnection = worker.openListen();
      worker.heartbeatThread.start();
      worker.listenThread.start();
      log.info("worker {} registered (runners: {})", nodeId, runners.keySet());
      return worker;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(lock);
      if (e instanceof AmpdException ae) {
        throw ae;
      }
      throw new AmpdException(
          "worker " + nodeId + " cannot register: " + e.getMessage(),
          "check that the metadata database is up and migrated",
          e);
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /** Ids of the jobs this worker runs right now. */
  public Set<Long> runningJobs() {
    return Set.copyOf(runs.keySet());
  }

  // ---- heartbeat ----

  private void heartbeatLoop() {
    Duration interval = settings.config().heartbeatInterval();
    try {
      while (!clock.await(closing, interval)) {
        try {
          synchronized (lockGuard) {
            if (!WorkerRepository.heartbeat(lockConnection, nodeId)) {
              WorkerRepository.register(lockConnection, nodeId, settings.info());
            }
          }
        } catch (SQLException e) {
          if (!lockSessionAlive()) {
            if (!relock(e)) {
              return;
            }
          } else {
            log.warn("worker {} heartbeat failed: {}", nodeId, e.getMessage());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean lockSessionAlive() {
    try {
      return lockConnection.isValid((int) LOCK_SESSION_CHECK.toSeconds());
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * The session holding the node lock is gone (PostgreSQL restarted, the network broke, or the
   * server did not answer within the network timeout): this worker can no longer prove it is the
   * only one with its node id. Its runs are stopped at once and record nothing; then it tries for
   * {@link #RELOCK_WINDOW} to open a new session and take the lock again. If its old session still
   * holds the lock (the server has not noticed yet that it is gone), that session is ended. Got it:
   * it registers again and the next reconcile (within 500 ms) resumes its jobs. Another session
   * holds it for {@link #HELD_ELSEWHERE} (another worker has the node id), or the database stays
   * away: fatal, the process exits 1.
   *
   * @return whether the worker goes on
   */
  private boolean relock(SQLException cause) throws InterruptedException {
    log.warn(
        "worker {} lost its metadata database session holding the node lock ({});"
            + " stopping its jobs and reconnecting",
        nodeId,
        cause.getMessage());
    synchronized (runsGuard) {
      lockLost.set(true);
      stopRuns();
    }
    long deadline = clock.nanoTime() + RELOCK_WINDOW.toNanos();
    String last = cause.getMessage();
    int oldSession = lockSessionPid;
    boolean endingOld = false;
    boolean heldElsewhere = false;
    long heldElsewhereSince = 0;
    while (clock.nanoTime() < deadline) {
      if (clock.await(closing, RELOCK_PAUSE)) {
        return false;
      }
      Connection fresh;
      try {
        fresh = connect(settings, "lock");
      } catch (AmpdException e) {
        last = e.getMessage();
        continue;
      }
      try {
        if (!WorkerRepository.tryLock(fresh, nodeId)) {
          // This worker's old session may hold it still: PostgreSQL ends a session, and releases
          // its locks, only once it notices that the connection is gone. That one is ended here;
          // another holder that stays for HELD_ELSEWHERE is another worker.
          boolean ours =
              WorkerRepository.endSession(fresh, oldSession, applicationName(nodeId, "lock"));
          closeQuietly(fresh);
          if (ours) {
            heldElsewhere = false;
            if (!endingOld) {
              endingOld = true;
              log.info(
                  "worker {}: ending its old session (server process {}), which holds the node"
                      + " lock",
                  nodeId,
                  oldSession);
            }
            last = "its old session still held the node lock";
          } else if (!heldElsewhere) {
            // Not its old session, for a moment: that one may be ending (gone from the sessions,
            // its lock not released yet).
            heldElsewhere = true;
            heldElsewhereSince = clock.nanoTime();
            last = "another session held the node lock";
          } else if (clock.nanoTime() - heldElsewhereSince > HELD_ELSEWHERE.toNanos()) {
            fatal(
                new AmpdException(
                    "worker node id '"
                        + nodeId
                        + "' was taken by another worker while this one was"
                        + " disconnected from the metadata database",
                    "stop one of the two workers; node ids must be unique"));
            return false;
          }
          continue;
        }
        WorkerRepository.register(fresh, nodeId, settings.info());
      } catch (SQLException e) {
        closeQuietly(fresh);
        last = e.getMessage();
        continue;
      }
      awaitRuns(settings.stopTimeout());
      synchronized (lockGuard) {
        closeQuietly(lockConnection);
        lockConnection = fresh;
        lockSessionPid = backendPid(fresh);
      }
      lockLost.set(false);
      log.info("worker {} holds its node lock again; resuming its jobs", nodeId);
      return true;
    }
    fatal(
        new AmpdException(
            "worker "
                + nodeId
                + " lost its connection to the metadata database holding the node lock"
                + " and could not get it back within "
                + RELOCK_WINDOW.toSeconds()
                + " s: "
                + last,
            "check that PostgreSQL is up and reachable, then restart this worker"));
    return false;
  }

  private void fatal(AmpdException error) {
    if (closing.getCount() > 0) {
      listener.onFatal(error);
    }
  }

  private void awaitRuns(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Run run : runs.values()) {
      join(run.thread, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  // ---- listen and reconcile ----

  private Connection openListen() throws SQLException {
    Connection c = connect(settings, "listen");
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN " + JobRepository.CHANNEL);
      return c;
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /** How soon the listen loop tries again after a failure. */
  private static final Duration READ_RETRY = Duration.ofMillis(500);

  /** The last failure of the listen loop, logged once; null while it works (its thread only). */
  private String lastReadFailure;

  private void listenLoop() {
    long reconcileMillis = settings.config().reconcileInterval().toMillis();
    long nextReconcile = 0;
    while (closing.getCount() > 0) {
      try {
        long now = clock.nanoTime() / 1_000_000;
        boolean due = now >= nextReconcile;
        if (!due) {
          Connection c = listenConnection;
          if (c == null) {
            c = listenConnection = openListen();
            due = true; // notifications were missed while it was down
          } else {
            // Within the network timeout: waiting longer on a silent server would count as one
            // that stopped answering.
            long wait = Math.min(nextReconcile - now, settings.networkTimeout().toMillis() / 2);
            PGNotification[] notes =
                c.unwrap(PGConnection.class).getNotifications((int) Math.max(1, wait));
            due = notes != null && notes.length > 0;
          }
        }
        if (due && closing.getCount() > 0) {
          boolean read = reconcile();
          // Not read while the node lock is being taken again: soon again, so that the jobs
          // resume once it is held, not a whole reconcile interval later.
          long next = read ? reconcileMillis : Math.min(reconcileMillis, READ_RETRY.toMillis());
          nextReconcile = clock.nanoTime() / 1_000_000 + next;
          if (!read) {
            log.debug(
                "worker {} did not act on its jobs (node lock not held, or stopping);"
                    + " reading again in {} ms",
                nodeId,
                next);
          }
          if (read && lastReadFailure != null) {
            log.info("worker {} reads its jobs again", nodeId);
            lastReadFailure = null;
          }
        }
      } catch (SQLException e) {
        if (closing.getCount() == 0) {
          return;
        }
        log.warn("worker {} lost its listen connection ({}); reconnecting", nodeId, e.getMessage());
        closeQuietly(listenConnection);
        listenConnection = null;
        pause(READ_RETRY);
      } catch (RuntimeException e) {
        if (closing.getCount() == 0) {
          return;
        }
        // Said once while it goes on failing the same way (the database may be away for long).
        String message = String.valueOf(e.getMessage());
        if (!message.equals(lastReadFailure)) {
          log.warn(
              "worker {} could not read its jobs: {} (retrying every {} ms)",
              nodeId,
              message,
              READ_RETRY.toMillis());
        }
        lastReadFailure = message;
        pause(READ_RETRY);
        nextReconcile = 0;
      }
    }
  }

  /**
   * Makes the runs of this worker match its jobs in the metadata database; false when it did not
   * read them, or read them as the node lock was lost (it is being taken again), or the worker is
   * closing.
   */
  boolean reconcile() {
    if (lockLost.get()) {
      return false;
    }
    List<Job> mine = jobs.jobsOf(nodeId);
    Set<Long> seen = new HashSet<>();
    for (Job job : mine) {
      seen.add(job.id());
      Run run = runs.get(job.id());
      switch (job.status()) {
        case SCHEDULED -> {
          if (run == null && mayLaunch() && jobs.start(job.id(), nodeId)) {
            launch(job);
          }
        }
        case RUNNING -> {
          if (run == null && mayLaunch() && jobs.resume(job.id(), nodeId)) {
            log.info("job {} was RUNNING on {} before this start; resuming it", job.id(), nodeId);
            launch(job);
          }
        }
        case STOP_REQUESTED, STOPPING -> {
          if (run == null) {
            jobs.finish(job.id(), nodeId, JobStatus.STOPPED, null);
          } else {
            if (job.status() == JobStatus.STOP_REQUESTED) {
              jobs.stopping(job.id(), nodeId); // recorded before the run can end STOPPED
            }
            run.userStop = true;
            run.stop.set();
          }
        }
        default -> {}
      }
    }
    for (Run run : runs.values()) {
      if (!seen.contains(run.job.id()) && !run.stop.stopRequested()) {
        log.warn("job {} is no longer assigned to {}; stopping its run", run.job.id(), nodeId);
        run.shutdown = true;
        run.stop.set();
      }
    }
    // The lock lost while the jobs were read (the read can wait for a database that has stopped
    // answering): what it read was not acted on, so it counts as not read.
    return mayLaunch();
  }

  /**
   * False once the node lock is lost or the worker closes: what this reconcile read may be older
   * than that (its query can wait for a database that is restarting).
   */
  private boolean mayLaunch() {
    return !lockLost.get() && closing.getCount() > 0;
  }

  private void launch(Job job) {
    synchronized (runsGuard) {
      if (!mayLaunch()) {
        // Recorded RUNNING just now: resumed by the reconcile after the lock is held again, or
        // rescheduled by the controller once this closing worker is silent.
        log.info(
            "job {} not started on {}: the worker lost its node lock or is stopping",
            job.id(),
            nodeId);
        return;
      }
      Run run = new Run(job);
      run.thread = new Thread(() -> execute(run), "job-" + job.id());
      run.thread.setDaemon(true);
      runs.put(job.id(), run);
      log.info(
          "job {} ({} from {}) started on {}", job.id(), job.dataset(), job.provider(), nodeId);
      run.thread.start();
    }
  }

  /** Tells every run to stop as the worker's own stop (not a user's); callers hold runsGuard. */
  private void stopRuns() {
    for (Run run : runs.values()) {
      run.shutdown = true;
      run.stop.set();
    }
  }

  // ---- one run ----

  private void execute(Run run) {
    long id = run.job.id();
    try {
      Outcome outcome = outcome(run);
      if (lockLost.get()) {
        log.warn(
            "job {} ended ({}) after the node lock was lost; not recorded", id, outcome.status());
        return;
      }
      boolean written =
          switch (outcome.status()) {
            case SCHEDULED -> jobs.release(id, nodeId, "worker " + nodeId + " is stopping");
            default -> jobs.finish(id, nodeId, outcome.status(), outcome.error());
          };
      if (written && outcome.status() == JobStatus.SCHEDULED) {
        log.info("job {} handed back for rescheduling (worker {} is stopping)", id, nodeId);
      } else if (written && outcome.status() == JobStatus.FATAL) {
        // Never retried: it waits for someone to read why.
        log.error("job {} FATAL: {}", id, outcome.error());
      } else if (written && outcome.status() == JobStatus.ERROR) {
        log.warn("job {} ERROR (retried with backoff): {}", id, outcome.error());
      } else if (written) {
        log.info(
            "job {} {}{}",
            id,
            outcome.status(),
            outcome.error() == null ? "" : ": " + outcome.error());
      } else {
        log.info(
            "job {} ended ({}) but is no longer held by {}; nothing recorded",
            id,
            outcome.status(),
            nodeId);
      }
    } catch (RuntimeException e) {
      log.warn("job {}: recording its end failed: {}", id, e.getMessage());
    } finally {
      runs.remove(id);
    }
  }

  private record Outcome(JobStatus status, String error) {}

  private Outcome outcome(Run run) {
    Job job = run.job;
    JobRunner runner = runners.get(job.kind());
    if (runner == null) {
      return new Outcome(JobStatus.FATAL, "no runner for kind " + job.kind());
    }
    try {
      runner.run(context(job, run.stop));
      if (!run.stop.stopRequested()) {
        return new Outcome(JobStatus.COMPLETED, null);
      }
      return stopped(run, null);
    } catch (JobFailedException e) {
      if (e.fatal()) {
        return new Outcome(JobStatus.FATAL, e.getMessage());
      }
      return run.stop.stopRequested()
          ? stopped(run, e.getMessage())
          : new Outcome(JobStatus.ERROR, e.getMessage());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      return run.stop.stopRequested()
          ? stopped(run, message)
          : new Outcome(JobStatus.ERROR, message);
    }
  }

  private static Outcome stopped(Run run, String error) {
    return run.userStop
        ? new Outcome(JobStatus.STOPPED, error)
        : new Outcome(JobStatus.SCHEDULED, error);
  }

  private JobContext context(Job job, StopSignal stop) throws JobFailedException {
    Optional<Dataset> dataset = catalog.dataset(job.dataset());
    if (dataset.isEmpty()) {
      throw JobFailedException.fatal("dataset " + job.dataset() + " is not registered", null);
    }
    Optional<ProviderConfig> provider = catalog.provider(job.provider());
    if (provider.isEmpty()) {
      throw JobFailedException.fatal("provider '" + job.provider() + "' does not exist", null);
    }
    return new JobContext(
        job.id(),
        nodeId,
        job.dataset(),
        dataset.get().manifest(),
        provider.get(),
        pool,
        settings.dataDir(),
        settings.config().segmentBlocks(),
        stop,
        endBlock(job));
  }

  /** The deploy's {@code end_block} from the job's descriptor; a bad one fails the job for good. */
  private EndBlock endBlock(Job job) throws JobFailedException {
    JsonNode descriptor = jobs.descriptors(List.of(job.id())).get(job.id());
    try {
      return EndBlock.parse(descriptor == null ? null : descriptor.get("end_block"));
    } catch (IllegalArgumentException e) {
      throw JobFailedException.fatal("job descriptor: " + e.getMessage(), null);
    }
  }

  // ---- stop ----

  /**
   * Stops reconciling, stops every run (see the class comment for the status each job gets), marks
   * the node stopped and releases its lock. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing.countDown();
    listenThread.interrupt();
    closeQuietly(listenConnection);
    join(listenThread, THREAD_END_WAIT);
    synchronized (runsGuard) {
      stopRuns();
    }
    long deadline = System.nanoTime() + settings.stopTimeout().toNanos();
    for (Run run : runs.values()) {
      join(run.thread, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    for (Run run : runs.values()) {
      run.thread.interrupt();
      join(run.thread, INTERRUPTED_RUN_WAIT);
    }
    heartbeatThread.interrupt();
    join(heartbeatThread, THREAD_END_WAIT);
    if (!runs.isEmpty()) {
      log.warn(
          "worker {}: jobs {} did not stop within {}; the controller reschedules them once"
              + " this worker is silent",
          nodeId,
          runs.keySet(),
          settings.stopTimeout());
    } else if (!lockLost.get()) {
      try {
        synchronized (lockGuard) {
          WorkerRepository.markStopped(lockConnection, nodeId);
        }
      } catch (SQLException e) {
        log.warn("worker {}: marking the node stopped failed: {}", nodeId, e.getMessage());
      }
    }
    closeQuietly(lockConnection);
    log.info("worker {} stopped", nodeId);
  }

  // ---- helpers ----

  private static int backendPid(Connection connection) {
    try {
      return connection.unwrap(PGConnection.class).getBackendPID();
    } catch (SQLException e) {
      return 0;
    }
  }

  /** The {@code application_name} of a dedicated session: {@code ampd worker <node> <purpose>}. */
  private static String applicationName(String nodeId, String purpose) {
    return "ampd worker " + nodeId + " " + purpose;
  }

  private static Connection connect(WorkerSettings settings, String purpose) {
    Properties properties = MetadataDb.sessionProperties(settings.url(), settings.networkTimeout());
    properties.setProperty("ApplicationName", applicationName(settings.nodeId(), purpose));
    try {
      return PgDriver.connect(settings.url().jdbcUrl(), properties);
    } catch (SQLException e) {
      throw new AmpdException(
          "failed to connect to metadata database ("
              + settings.url().redacted()
              + "): "
              + e.getMessage(),
          "check metadata_db.url and that PostgreSQL is up",
          e);
    }
  }

  private static void join(Thread thread, Duration timeout) {
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits {@code d} on the worker's clock, or less when it closes. */
  private void pause(Duration d) {
    try {
      clock.await(closing, d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing a worker connection: {}", e.getMessage());
    }
  }
}
