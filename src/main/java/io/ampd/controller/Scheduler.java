package io.ampd.controller;

import io.ampd.config.ControllerConfig;
import io.ampd.core.Clock;
import io.ampd.metadb.JobScheduling;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's scheduling loop, on thread {@code scheduler}, every {@link #DEFAULT_TICK}: moves
 * the jobs of workers silent past {@code worker_timeout} onto live ones, plans and runs retries of
 * ERROR jobs with exponential backoff ({@code retry_initial_backoff} doubling up to {@code
 * retry_max_backoff}; FATAL jobs are never retried), and assigns jobs waiting without a worker as
 * soon as one is live. Deploy assigns a worker itself; this loop catches up with everything that
 * happens later.
 *
 * <p>Every step is a compare-and-set in {@link JobScheduling} over rows locked with {@code SKIP
 * LOCKED}, so several controllers may run this loop against one database. A failing step (the
 * database is restarting) is logged and tried again on the next tick.
 *
 * <p>A worker counts as silent only if it was silent while this loop watched: jobs are moved from
 * silent workers once the passes have come on time and answered for {@code worker_timeout}. After a
 * pass that failed or took longer than half of it (the database stopped answering, and so could not
 * take the workers' heartbeats either), a gap as long between passes (the machine was suspended,
 * the process stalled), and after the start, the workers get {@code worker_timeout} to report again
 * before their jobs go elsewhere.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  /** How often the loop runs. */
  public static final Duration DEFAULT_TICK = Duration.ofMillis(500);

  /** How long {@link #close} waits for a pass in progress to finish. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final JobScheduling jobs;
  private final ControllerConfig config;
  private final Duration tick;
  private final Clock clock;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;
  private volatile String lastFailure;

  /** Since when passes have come on time and answered ({@link Clock#nanoTime}). */
  private long steadySince;

  /** When the last pass ended; 0 before the first. */
  private long lastPassEnd;

  private Scheduler(JobScheduling jobs, ControllerConfig config, Duration tick, Clock clock) {
    this.jobs = jobs;
    this.config = config;
    this.tick = tick;
    this.clock = clock;
    this.thread = new Thread(this::loop, "scheduler");
    thread.setDaemon(true);
  }

  /** Starts the loop. */
  public static Scheduler start(JobScheduling jobs, ControllerConfig config, Duration tick) {
    return start(jobs, config, tick, Clock.system());
  }

  /** Starts the loop, its passes paced and timed by {@code clock}. */
  public static Scheduler start(
      JobScheduling jobs, ControllerConfig config, Duration tick, Clock clock) {
    Scheduler scheduler = new Scheduler(jobs, config, tick, clock);
    scheduler.thread.start();
    return scheduler;
  }

  private void loop() {
    try {
      do {
        runOnce();
      } while (!clock.await(closing, tick));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One pass of every step; public for tests that drive scheduling by hand. */
  public synchronized void runOnce() {
    Duration timeout = config.workerTimeout();
    long halfTimeout = timeout.toNanos() / 2;
    long start = clock.nanoTime();
    if (lastPassEnd == 0 || start - lastPassEnd > halfTimeout) {
      if (lastPassEnd != 0) {
        graceAfter("no pass for " + (start - lastPassEnd) / 1_000_000 + " ms", timeout);
      }
      steadySince = start;
    }
    boolean failed = false;
    try {
      jobs.planRetries(config.retryInitialBackoff(), config.retryMaxBackoff());
      int retried = jobs.retryDue(timeout);
      int assigned = jobs.assignWaiting(timeout);
      int moved = 0;
      // Last, and only while steady: a step that waited on a silent database counts too.
      long now = clock.nanoTime();
      if (now - start <= halfTimeout && now - steadySince >= timeout.toNanos()) {
        moved = jobs.rescheduleFromDeadWorkers(timeout);
        if (moved > 0) {
          assigned += jobs.assignWaiting(timeout);
        }
      }
      if (moved + retried + assigned > 0) {
        log.info(
            "scheduler: {} job(s) moved from silent workers, {} retried, {} assigned",
            moved,
            retried,
            assigned);
      }
      if (lastFailure != null) {
        log.info("scheduler: working again");
        lastFailure = null;
      }
    } catch (RuntimeException e) {
      failed = true;
      String message = e.getMessage();
      if (!String.valueOf(message).equals(lastFailure)) {
        log.warn("scheduler: {} (retrying every {} ms)", message, tick.toMillis());
      }
      lastFailure = String.valueOf(message);
    } finally {
      lastPassEnd = clock.nanoTime();
      if (failed || lastPassEnd - start > halfTimeout) {
        if (!failed) {
          graceAfter("a pass took " + (lastPassEnd - start) / 1_000_000 + " ms", timeout);
        }
        steadySince = lastPassEnd;
      }
    }
  }

  private static void graceAfter(String what, Duration timeout) {
    log.info(
        "scheduler: {}; workers get {} s to report before jobs are moved from silent ones",
        what,
        timeout.toSeconds());
  }

  /** Stops the loop, letting a pass in progress finish. Idempotent. */
  @Override
  public void close() {
    closing.countDown();
    try {
      thread.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
