package io.ampd.worker;

import static io.ampd.worker.WorkerSessions.closeQuietly;
import static io.ampd.worker.WorkerSessions.connect;
import static io.ampd.worker.WorkerSessions.join;

import io.ampd.core.Clock;
import io.ampd.metadb.Job;
import io.ampd.metadb.JobQueries;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.RunLedger;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which runs should run here: reads the node's jobs and makes the runs match them.
 *
 * <p><b>Session and thread.</b> A dedicated <i>listen</i> session (not from the pool) runs {@code
 * LISTEN job_actions}. The thread {@code worker-listen} reconciles on every notification and at
 * least every {@code reconcile_interval}, so a missed notification never loses a job; a lost listen
 * session is opened again, and the reconcile after it runs at once (notifications were missed
 * meanwhile). Its waits are bounded by half the network timeout, so waiting on a silent server
 * never counts as one that stopped answering, and paced by the worker's {@link Clock}.
 *
 * <p><b>Reconcile.</b> {@link #reconcile} starts SCHEDULED jobs, resumes RUNNING ones a crashed
 * earlier process of this node id left, and stops STOP_REQUESTED ones; runs whose job is no longer
 * on this node are stopped. Reconciling is the only place runs start, on that one thread. While the
 * node lock is lost nothing is read, and the next reconcile comes soon (every 500 ms) so that the
 * jobs resume once the lock is held again.
 */
final class Reconciler {
  // Logs as the worker role: operators (and WorkerTest) read these lines under Worker.
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How soon the listen loop tries again after a failure. */
  private static final Duration READ_RETRY = Duration.ofMillis(500);

  private final WorkerSettings settings;
  private final String nodeId;
  private final JobQueries jobs;
  private final RunLedger ledger;
  private final RunExecutor runs;
  private final NodeLock nodeLock;
  private final Clock clock;
  private final CountDownLatch closing;
  private final Thread listenThread;
  private volatile Connection listenConnection;

  /** The last failure of the listen loop, logged once; null while it works (its thread only). */
  private String lastReadFailure;

  Reconciler(
      WorkerSettings settings,
      DataSource pool,
      RunExecutor runs,
      NodeLock nodeLock,
      Clock clock,
      CountDownLatch closing) {
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.jobs = new JobQueries(pool);
    this.ledger = new RunLedger(pool);
    this.runs = runs;
    this.nodeLock = nodeLock;
    this.clock = clock;
    this.closing = closing;
    this.listenThread = new Thread(this::listenLoop, "worker-listen");
    listenThread.setDaemon(true);
  }

  /** Opens the listen session; {@link #start} then starts the thread that reconciles. */
  void openListen() throws SQLException {
    listenConnection = listenSession();
  }

  void start() {
    listenThread.start();
  }

  /**
   * Ends the listen thread and its session (the worker is closing), waiting at most {@code wait}.
   */
  void stop(Duration wait) {
    listenThread.interrupt();
    closeQuietly(listenConnection);
    join(listenThread, wait);
  }

  private Connection listenSession() throws SQLException {
    Connection c = connect(settings, "listen");
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN " + RunLedger.CHANNEL);
      return c;
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
  }

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
            c = listenConnection = listenSession();
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
    if (nodeLock.lost()) {
      return false;
    }
    List<Job> mine = jobs.jobsOf(nodeId);
    Set<Long> seen = new HashSet<>();
    for (Job job : mine) {
      seen.add(job.id());
      RunExecutor.Run run = runs.run(job.id());
      switch (job.status()) {
        case SCHEDULED -> {
          if (run == null && runs.mayLaunch() && ledger.start(job.id(), nodeId)) {
            runs.launch(job);
          }
        }
        case RUNNING -> {
          if (run == null && runs.mayLaunch() && ledger.resume(job.id(), nodeId)) {
            log.info("job {} was RUNNING on {} before this start; resuming it", job.id(), nodeId);
            runs.launch(job);
          }
        }
        case STOP_REQUESTED, STOPPING -> {
          if (run == null) {
            ledger.finish(job.id(), nodeId, JobStatus.STOPPED, null);
          } else {
            if (job.status() == JobStatus.STOP_REQUESTED) {
              ledger.stopping(job.id(), nodeId); // recorded before the run can end STOPPED
            }
            run.userStop = true;
            run.stop.set();
          }
        }
        default -> {}
      }
    }
    for (RunExecutor.Run run : runs.all()) {
      if (!seen.contains(run.job.id()) && !run.stop.stopRequested()) {
        log.warn("job {} is no longer assigned to {}; stopping its run", run.job.id(), nodeId);
        run.shutdown = true;
        run.stop.set();
      }
    }
    // The lock lost while the jobs were read (the read can wait for a database that has stopped
    // answering): what it read was not acted on, so it counts as not read.
    return runs.mayLaunch();
  }

  /** Waits {@code d} on the worker's clock, or less when it closes. */
  private void pause(Duration d) {
    try {
      clock.await(closing, d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
