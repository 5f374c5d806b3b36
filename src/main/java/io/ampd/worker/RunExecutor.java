package io.ampd.worker;

import static io.ampd.worker.WorkerSessions.join;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.metadb.Catalog;
import io.ampd.metadb.Job;
import io.ampd.metadb.JobQueries;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.RunLedger;
import io.ampd.registry.Dataset;
import io.ampd.registry.EndBlock;
import io.ampd.registry.ProviderConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's runs: starting them, telling them to stop, and recording how each ended.
 *
 * <p><b>Threads.</b> Each run has a thread {@code job-<id>}, started by {@link #launch} (which only
 * the {@link Reconciler}'s thread calls), that runs the job's {@link JobRunner} and then sets the
 * job's final status from how it ended: COMPLETED, STOPPED (a user asked), ERROR (retried later),
 * FATAL (never retried), or back to SCHEDULED without a node when the worker itself stopped it.
 * Every write is a compare-and-set on this node ({@link RunLedger}), so a run whose job was taken
 * away (its node judged dead) writes nothing; a run that ends while the node lock is lost writes
 * nothing at all.
 *
 * <p><b>Launch guard.</b> Launching a run and telling every run to stop hold one guard: a reconcile
 * that read the jobs before the node lock was lost (or the worker began to close) cannot launch a
 * run after they were told ({@link #stopAll}).
 */
final class RunExecutor {
  // Logs as the worker role: operators (and WorkerTest) read these lines under Worker.
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How long {@link #awaitStop} waits for a run it interrupted after the stop timeout. */
  private static final Duration INTERRUPTED_RUN_WAIT = Duration.ofSeconds(1);

  /** One run: its job, how it is told to stop, and whether a user or the worker stopped it. */
  static final class Run {
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
  private final JobQueries jobs;
  private final RunLedger ledger;
  private final Catalog catalog;
  private final Map<String, JobRunner> runners;
  private final NodeLock nodeLock;
  private final CountDownLatch closing;
  private final Map<Long, Run> runs = new ConcurrentHashMap<>();

  /**
   * Held to launch a run and to tell every run to stop: a reconcile that read the jobs before the
   * lock was lost (or the worker began to close) cannot launch a run after they were told.
   */
  private final Object runsGuard = new Object();

  RunExecutor(
      WorkerSettings settings,
      DataSource pool,
      Catalog catalog,
      Map<String, JobRunner> runners,
      NodeLock nodeLock,
      CountDownLatch closing) {
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.pool = pool;
    this.jobs = new JobQueries(pool);
    this.ledger = new RunLedger(pool);
    this.catalog = catalog;
    this.runners = Map.copyOf(runners);
    this.nodeLock = nodeLock;
    this.closing = closing;
  }

  /** Ids of the jobs that have a run right now. */
  Set<Long> ids() {
    return Set.copyOf(runs.keySet());
  }

  /** The run of job {@code id}, or null. */
  Run run(long id) {
    return runs.get(id);
  }

  /** Every run in progress. */
  Iterable<Run> all() {
    return runs.values();
  }

  /**
   * False once the node lock is lost or the worker closes: what this reconcile read may be older
   * than that (its query can wait for a database that is restarting).
   */
  boolean mayLaunch() {
    return !nodeLock.lost() && closing.getCount() > 0;
  }

  void launch(Job job) {
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

  /**
   * Runs {@code first} (the loss of the node lock is recorded there) and tells every run to stop as
   * the worker's own stop (not a user's), both under the launch guard.
   */
  void stopAll(Runnable first) {
    synchronized (runsGuard) {
      first.run();
      for (Run run : runs.values()) {
        run.shutdown = true;
        run.stop.set();
      }
    }
  }

  /** Waits up to {@code timeout} for every run's thread to end. */
  void awaitRuns(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Run run : runs.values()) {
      join(run.thread, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  /**
   * At close, after {@link #stopAll}: waits up to {@code timeout} for the runs, then interrupts
   * those still going and gives each a moment more.
   */
  void awaitStop(Duration timeout) {
    awaitRuns(timeout);
    for (Run run : runs.values()) {
      run.thread.interrupt();
      join(run.thread, INTERRUPTED_RUN_WAIT);
    }
  }

  // ---- one run ----

  private void execute(Run run) {
    long id = run.job.id();
    try {
      Outcome outcome = outcome(run);
      if (nodeLock.lost()) {
        log.warn(
            "job {} ended ({}) after the node lock was lost; not recorded", id, outcome.status());
        return;
      }
      boolean written =
          switch (outcome.status()) {
            case SCHEDULED -> ledger.release(id, nodeId, "worker " + nodeId + " is stopping");
            default -> ledger.finish(id, nodeId, outcome.status(), outcome.error());
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
}
