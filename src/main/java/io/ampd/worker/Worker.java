package io.ampd.worker;

import io.ampd.core.AmpdException;
import io.ampd.core.Clock;
import io.ampd.metadb.Catalog;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker role: registers its node, proves it is alive, and runs the jobs assigned to it. This
 * class only wires its three parts and orders their start and stop:
 *
 * <ul>
 *   <li>{@link NodeLock}: the node's advisory lock on a session of its own, and the heartbeat over
 *       it ({@code worker-heartbeat}); taking the lock again when the session is lost;
 *   <li>{@link Reconciler}: the listen session and the thread ({@code worker-listen}) that makes
 *       the runs match the node's jobs, the only place runs start;
 *   <li>{@link RunExecutor}: the runs, a thread {@code job-<id>} each, and the recording of how
 *       each ended.
 * </ul>
 *
 * <p>Job status changes and the runners use the pool; the two sessions are the worker's own.
 *
 * <p><b>Stop.</b> {@link #close()} stops reconciling, asks every run to stop and waits up to {@code
 * stopTimeout}. A job a user asked to stop ends STOPPED; any other interrupted job goes back to
 * SCHEDULED without a node (event {@code worker_stopped}) so the controller hands it to a live
 * worker, or to this one when it starts again, and the run resumes from its recorded progress. Then
 * the node is marked stopped and the lock session closed.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How long {@link #close} waits for the listen and heartbeat threads to end. */
  private static final Duration THREAD_END_WAIT = Duration.ofSeconds(5);

  /** Told when the worker cannot go on (lost its node lock). */
  public interface Listener {
    void onFatal(AmpdException error);
  }

  private final WorkerSettings settings;
  private final String nodeId;
  private final CountDownLatch closing;
  private final NodeLock nodeLock;
  private final RunExecutor runs;
  private final Reconciler reconciler;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Worker(
      WorkerSettings settings,
      CountDownLatch closing,
      NodeLock nodeLock,
      RunExecutor runs,
      Reconciler reconciler) {
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.closing = closing;
    this.nodeLock = nodeLock;
    this.runs = runs;
    this.reconciler = reconciler;
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
    CountDownLatch closing = new CountDownLatch(1);
    NodeLock nodeLock = NodeLock.take(settings, clock, closing, listener);
    try {
      RunExecutor runs = new RunExecutor(settings, pool, catalog, runners, nodeLock, closing);
      Reconciler reconciler = new Reconciler(settings, pool, runs, nodeLock, clock, closing);
      Worker worker = new Worker(settings, closing, nodeLock, runs, reconciler);
      reconciler.openListen();
      nodeLock.start(runs);
      reconciler.start();
      log.info("worker {} registered (runners: {})", settings.nodeId(), runners.keySet());
      return worker;
    } catch (SQLException | RuntimeException e) {
      nodeLock.release();
      throw NodeLock.registrationFailed(settings.nodeId(), e);
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /** Ids of the jobs this worker runs right now. */
  public Set<Long> runningJobs() {
    return runs.ids();
  }

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
    reconciler.stop(THREAD_END_WAIT);
    runs.stopAll(() -> {});
    runs.awaitStop(settings.stopTimeout());
    nodeLock.stopHeartbeat(THREAD_END_WAIT);
    Set<Long> left = runs.ids();
    if (!left.isEmpty()) {
      log.warn(
          "worker {}: jobs {} did not stop within {}; the controller reschedules them once"
              + " this worker is silent",
          nodeId,
          left,
          settings.stopTimeout());
    } else if (!nodeLock.lost()) {
      try {
        nodeLock.markStopped();
      } catch (SQLException e) {
        log.warn("worker {}: marking the node stopped failed: {}", nodeId, e.getMessage());
      }
    }
    nodeLock.release();
    log.info("worker {} stopped", nodeId);
  }
}
