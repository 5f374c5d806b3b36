package io.ampd.extract;

import io.ampd.registry.ProviderConfig;
import io.ampd.worker.StopSignal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the requests to one provider share in this process, whatever job or thread sends them: the
 * pace set by {@code rate_limit_per_sec} (or Amp's {@code rate_limit_per_minute}), a pause asked
 * for by HTTP 429, and the largest batch the node accepts.
 *
 * <p>Pace: requests are spaced evenly, one each {@code 1/rate_limit_per_sec} seconds (a JSON-RPC
 * batch is one request), so no second holds more than {@code rate_limit_per_sec} requests: a
 * request reserves the next free slot and waits for it (asleep on the job's stop signal, so a stop
 * ends the wait). There is no burst allowance: a node's "N per second" is usually counted per
 * window, and a burst would run into its limit.
 *
 * <p>One throttle per provider name and URL: a provider edited to another URL starts afresh.
 */
final class ProviderThrottle {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderThrottle.class);
  private static final Map<String, ProviderThrottle> ALL = new ConcurrentHashMap<>();

  private final String name;
  private final long intervalNanos;

  /** The next free slot ({@link System#nanoTime}), and the end of a 429 pause. */
  private long nextSlot;

  private long pausedUntil;

  /** The most calls per request; lowered when the node refuses a batch as too large. */
  private final AtomicInteger maxCalls = new AtomicInteger(Integer.MAX_VALUE);

  private ProviderThrottle(String name, long intervalNanos) {
    this.name = name;
    this.intervalNanos = intervalNanos;
    this.nextSlot = System.nanoTime();
    this.pausedUntil = nextSlot;
  }

  /** The throttle of {@code provider} in this process. */
  static ProviderThrottle of(ProviderConfig provider) {
    long interval = provider.requestIntervalNanos();
    String key = provider.name() + '\n' + provider.url() + '\n' + interval;
    return ALL.computeIfAbsent(key, k -> new ProviderThrottle(provider.name(), interval));
  }

  /** Waits for this request's turn. */
  void acquire(StopSignal stop) throws StoppedException {
    long slot;
    synchronized (this) {
      long now = System.nanoTime();
      slot = now;
      if (pausedUntil - slot > 0) {
        slot = pausedUntil;
      }
      if (intervalNanos > 0) {
        if (nextSlot - slot > 0) {
          slot = nextSlot;
        }
        nextSlot = slot + intervalNanos;
      }
    }
    long wait = slot - System.nanoTime();
    if (wait <= 0) {
      return;
    }
    try {
      if (stop.await(Duration.ofNanos(wait))) {
        throw new StoppedException();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoppedException();
    }
    // A stop signal's await may return a little early: never go before the slot.
    while ((wait = slot - System.nanoTime()) > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoppedException();
      }
    }
  }

  /** Holds every request to the provider for {@code pause} from now (HTTP 429). */
  synchronized void pause(Duration pause) {
    long until = System.nanoTime() + pause.toNanos();
    if (until - pausedUntil > 0) {
      pausedUntil = until;
    }
  }

  /** The most calls to send in one request. */
  int maxCalls() {
    return maxCalls.get();
  }

  /**
   * The node refused a request of {@code refused} calls as too large: from now on requests carry at
   * most half as many. Logged once per new size. False when nothing smaller is possible.
   */
  boolean shrink(int refused, String why) {
    if (refused <= 1) {
      return false;
    }
    int next = refused / 2;
    int before = maxCalls.getAndAccumulate(next, Math::min);
    if (next < before) {
      LOG.warn(
          "provider {} refused a batch of {} calls as too large ({}); sending at most {} per"
              + " request from now on",
          name,
          refused,
          why,
          next == 1 ? "1 call" : next + " calls");
    }
    return true;
  }
}
