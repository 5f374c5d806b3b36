package io.ampd.testing;

import io.ampd.core.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Clock} that stands still until the test advances it. A thread waiting on it wakes when
 * the clock reaches its deadline (or its latch opens); {@link #step} advances to one thread's
 * deadline and returns once that thread has done its work and waits again, so a test can run a loop
 * one turn at a time and then check what it did, or did not do.
 */
public final class ManualClock implements Clock {
  /** How often a waiter looks at its latch, which does not tell this clock when it opens. */
  private static final long LATCH_POLL_MILLIS = 5;

  /** How long {@link #step} waits in real time for the thread to come round again. */
  private static final Duration STEP_LIMIT = Duration.ofSeconds(15);

  private final Instant start = Instant.parse("2024-01-01T00:00:00Z");
  private long nanos = 1; // never 0, which some callers read as "not yet"
  private final Map<String, Long> deadlines = new HashMap<>();
  private final Map<String, Long> waitsBegun = new HashMap<>();

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Instant now() {
    return start.plusNanos(nanos);
  }

  /** Moves the clock on by {@code d}, waking the waiters whose deadline has come. */
  public synchronized void advance(Duration d) {
    nanos += d.toNanos();
    notifyAll();
  }

  @Override
  public boolean await(CountDownLatch latch, Duration timeout) throws InterruptedException {
    String name = Thread.currentThread().getName();
    synchronized (this) {
      long deadline = nanos + timeout.toNanos();
      deadlines.put(name, deadline);
      waitsBegun.merge(name, 1L, Long::sum);
      notifyAll();
      try {
        while (latch.getCount() > 0 && nanos < deadline) {
          wait(LATCH_POLL_MILLIS);
        }
      } finally {
        deadlines.remove(name);
        notifyAll();
      }
    }
    return latch.getCount() == 0;
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    await(new CountDownLatch(1), duration);
  }

  /** How many waits thread {@code name} has begun on this clock. */
  public synchronized long waitsBegun(String name) {
    return waitsBegun.getOrDefault(name, 0L);
  }

  /** Blocks (in real time) until thread {@code name} waits on this clock. */
  public synchronized void awaitWaiting(String name) throws InterruptedException, TimeoutException {
    long limit = System.nanoTime() + STEP_LIMIT.toNanos();
    while (!deadlines.containsKey(name)) {
      long left = limit - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("thread " + name + " did not wait on the clock");
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /**
   * Waits for thread {@code name} to wait on this clock, advances the clock to that wait's
   * deadline, and waits until the thread waits again: one turn of its loop.
   */
  public synchronized void step(String name) throws InterruptedException, TimeoutException {
    awaitWaiting(name);
    long before = waitsBegun(name);
    long deadline = deadlines.get(name);
    advance(Duration.ofNanos(Math.max(0, deadline - nanos)));
    long limit = System.nanoTime() + STEP_LIMIT.toNanos();
    while (waitsBegun(name) == before || !deadlines.containsKey(name)) {
      long left = limit - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("thread " + name + " did not come round again");
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
