package io.ampd.worker;

import static io.ampd.worker.WorkerSessions.applicationName;
import static io.ampd.worker.WorkerSessions.backendPid;
import static io.ampd.worker.WorkerSessions.closeQuietly;
import static io.ampd.worker.WorkerSessions.connect;
import static io.ampd.worker.WorkerSessions.join;

import io.ampd.core.AmpdException;
import io.ampd.core.Clock;
import io.ampd.metadb.WorkerRepository;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's lock and heartbeat: the proof that this worker is the only one with its node id.
 *
 * <p><b>Session.</b> A dedicated session, not from the pool, holds the node's session advisory lock
 * for the worker's whole life and carries its heartbeat, so a recorded heartbeat proves the lock is
 * held. PostgreSQL releases the lock the moment the session ends, also when the process is killed.
 * The heartbeat thread and {@link #markStopped} use the session under one guard.
 *
 * <p><b>Thread.</b> {@code worker-heartbeat} heartbeats every {@code heartbeat_interval}. If the
 * session is lost, the worker can no longer prove it is alone with its node id: {@link #lost()}
 * turns true and every run is stopped at once, recording nothing ({@link RunExecutor}); then, for
 * {@link #RELOCK_WINDOW}, the thread tries to take the lock again on a new session (a restart of
 * PostgreSQL), ending its own old session if the server still keeps it. Another holder for {@link
 * #HELD_ELSEWHERE}, or a database that stays away: a fatal error for the {@link Worker.Listener}
 * (the process exits 1). All its waits are on the worker's {@link Clock}, and end when the worker
 * closes.
 */
final class NodeLock {
  // Logs as the worker role: operators (and WorkerTest) read these lines under Worker.
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

  private final WorkerSettings settings;
  private final String nodeId;
  private final Clock clock;
  private final CountDownLatch closing;
  private final Worker.Listener listener;
  private final Object lockGuard = new Object();
  private final AtomicBoolean lockLost = new AtomicBoolean();
  private final Thread heartbeatThread;
  private volatile Connection lockConnection;

  /** The server process of the lock session ({@code pg_backend_pid()}); 0 if unknown. */
  private volatile int lockSessionPid;

  /** The runs to stop when the lock is lost; set once by {@link #start}. */
  private RunExecutor runs;

  private NodeLock(
      WorkerSettings settings,
      Clock clock,
      CountDownLatch closing,
      Worker.Listener listener,
      Connection lockConnection) {
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.clock = clock;
    this.closing = closing;
    this.listener = listener;
    this.lockConnection = lockConnection;
    this.lockSessionPid = backendPid(lockConnection);
    this.heartbeatThread = new Thread(this::heartbeatLoop, "worker-heartbeat");
    heartbeatThread.setDaemon(true);
  }

  /**
   * Opens the lock session, takes the node lock and registers the node; the heartbeat starts with
   * {@link #start}.
   *
   * @throws AmpdException when another running worker has the node id, or the database cannot be
   *     reached
   */
  static NodeLock take(
      WorkerSettings settings, Clock clock, CountDownLatch closing, Worker.Listener listener) {
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
      return new NodeLock(settings, clock, closing, listener, lock);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(lock);
      throw registrationFailed(nodeId, e);
    }
  }

  static AmpdException registrationFailed(String nodeId, Exception e) {
    if (e instanceof AmpdException ae) {
      return ae;
    }
    return new AmpdException(
        "worker " + nodeId + " cannot register: " + e.getMessage(),
        "check that the metadata database is up and migrated",
        e);
  }

  /** Starts heartbeating; {@code runs} are stopped whenever the lock is lost. */
  void start(RunExecutor runs) {
    this.runs = runs;
    heartbeatThread.start();
  }

  /** True from the loss of the lock session until the lock is held again. */
  boolean lost() {
    return lockLost.get();
  }

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
    runs.stopAll(() -> lockLost.set(true));
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
      runs.awaitRuns(settings.stopTimeout());
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

  /** Ends the heartbeat thread (the worker is closing), waiting at most {@code wait}. */
  void stopHeartbeat(Duration wait) {
    heartbeatThread.interrupt();
    join(heartbeatThread, wait);
  }

  /** Sets the node's {@code stopped_at} over the lock session. */
  void markStopped() throws SQLException {
    synchronized (lockGuard) {
      WorkerRepository.markStopped(lockConnection, nodeId);
    }
  }

  /** Closes the lock session, which releases the node lock. */
  void release() {
    closeQuietly(lockConnection);
  }
}
