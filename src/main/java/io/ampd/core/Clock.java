package io.ampd.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The time that paces ampd's loops and bounds its waits (the scheduler's passes, heartbeats,
 * reconciles, the supervisor's waits for PostgreSQL). Production code uses {@link #system()}; tests
 * hand in a clock they advance by hand, so a test of "nothing happens for a while" drives the clock
 * through that while instead of sleeping.
 *
 * <p>Which worker is alive, and when a failed job may be retried, is decided by the metadata
 * database's clock ({@code now()}), never by this one: hosts' clocks never matter for coordination.
 */
public interface Clock {
  /**
   * A monotonic reading in nanoseconds, for measuring intervals only (as {@link System#nanoTime}).
   */
  long nanoTime();

  /** The wall-clock time, for messages and records. */
  Instant now();

  /**
   * Waits until {@code latch} is open or {@code timeout} has passed on this clock.
   *
   * @return true when the latch opened
   */
  boolean await(CountDownLatch latch, Duration timeout) throws InterruptedException;

  /** Waits {@code duration} on this clock. */
  void sleep(Duration duration) throws InterruptedException;

  /** The clock of the machine. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }

  /** {@link Clock#system()}. */
  final class SystemClock implements Clock {
    private static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Instant now() {
      return Instant.now();
    }

    @Override
    public boolean await(CountDownLatch latch, Duration timeout) throws InterruptedException {
      return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      Thread.sleep(duration.toMillis());
    }
  }
}
