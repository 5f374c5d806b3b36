package io.ampd.controller;

import io.ampd.config.ControllerConfig;
import io.ampd.metadb.JobRepository;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * <p>Every step is a compare-and-set in {@link JobRepository} over rows locked with {@code SKIP
 * LOCKED}, so several controllers may run this loop against one database. A failing step (the
 * database is restarting) is logged and tried again on the next tick.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  /** How often the loop runs. */
  public static final Duration DEFAULT_TICK = Duration.ofMillis(500);

  private final JobRepository jobs;
  private final ControllerConfig config;
  private final Duration tick;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;
  private volatile String lastFailure;

  private Scheduler(JobRepository jobs, ControllerConfig config, Duration tick) {
    this.jobs = jobs;
    this.config = config;
    this.tick = tick;
    this.thread = new Thread(this::loop, "scheduler");
    thread.setDaemon(true);
  }

  /** Starts the loop. */
  public static Scheduler start(JobRepository jobs, ControllerConfig config, Duration tick) {
    Scheduler scheduler = new Scheduler(jobs, config, tick);
    scheduler.thread.start();
    return scheduler;
  }

  private void loop() {
    try {
      do {
        runOnce();
      } while (!closing.await(tick.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One pass of every step; public for tests that drive scheduling by hand. */
  public void runOnce() {
    Duration timeout = config.workerTimeout();
    try {
      int moved = jobs.rescheduleFromDeadWorkers(timeout);
      jobs.planRetries(config.retryInitialBackoff(), config.retryMaxBackoff());
      int retried = jobs.retryDue(timeout);
      int assigned = jobs.assignWaiting(timeout);
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
      String message = e.getMessage();
      if (!String.valueOf(message).equals(lastFailure)) {
        log.warn("scheduler: {} (retrying every {} ms)", message, tick.toMillis());
      }
      lastFailure = String.valueOf(message);
    }
  }

  /** Stops the loop, letting a pass in progress finish. Idempotent. */
  @Override
  public void close() {
    closing.countDown();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
