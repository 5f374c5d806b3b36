package io.ampd.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The single shutdown path of the process.
 *
 * <p>SIGTERM or SIGINT (Ctrl+C) calls {@link #request(int)}: the running command wakes from {@link
 * #await()}, stops its roles in reverse start order and returns its exit code (0 for a signal). A
 * second signal while that runs calls the registered {@linkplain #onStopNow stop-now actions} (e.g.
 * SIGQUIT to PostgreSQL) and halts the JVM at once with exit code 1.
 *
 * <p>Signals are handled with {@code sun.misc.Signal} rather than a shutdown hook because a hook
 * cannot see the second Ctrl+C, and because the exit code of a graceful stop must be 0. A shutdown
 * hook still runs the stop-now actions if the JVM exits some other way while a role holds a child
 * process.
 */
public final class Shutdown {
  private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final AtomicInteger code = new AtomicInteger(0);
  private final AtomicInteger signals = new AtomicInteger();
  private final List<Runnable> stopNowActions = new ArrayList<>();

  /** Routes SIGTERM and SIGINT here. */
  public void installSignalHandlers() {
    for (String name : List.of("TERM", "INT")) {
      try {
        Signal.handle(new Signal(name), signal -> onSignal(signal.getName()));
      } catch (IllegalArgumentException e) {
        log.debug("cannot handle SIG{}: {}", name, e.getMessage());
      }
    }
  }

  private void onSignal(String name) {
    if (signals.incrementAndGet() == 1) {
      log.info("received SIG{}, shutting down (send it again to stop immediately)", name);
      request(0);
    } else {
      log.warn("received SIG{} again, stopping now", name);
      runStopNow();
      Runtime.getRuntime().halt(1);
    }
  }

  /** Asks the running command to stop and exit with {@code exitCode}; the first call wins. */
  public void request(int exitCode) {
    if (requested.getCount() > 0) {
      code.set(exitCode);
      requested.countDown();
    }
  }

  public boolean isRequested() {
    return requested.getCount() == 0;
  }

  /** Blocks until a stop is requested; returns the requested exit code. */
  public int await() throws InterruptedException {
    requested.await();
    return code.get();
  }

  /** The exit code requested so far (0 if none). */
  public int requestedCode() {
    return code.get();
  }

  /** Registers an action for a second signal or an abrupt exit; runs at most once. */
  public synchronized void onStopNow(Runnable action) {
    stopNowActions.add(action);
  }

  /** Forgets an action registered with {@link #onStopNow}, once its resource is closed. */
  public synchronized void removeStopNow(Runnable action) {
    stopNowActions.remove(action);
  }

  private synchronized void runStopNow() {
    for (Runnable action : List.copyOf(stopNowActions)) {
      try {
        action.run();
      } catch (RuntimeException e) {
        log.warn("stop-now action failed: {}", e.toString());
      }
    }
    stopNowActions.clear();
  }

  /** Ends the process with {@code exitCode}, after any last-resort stop-now actions. */
  public void exit(int exitCode) {
    runStopNow();
    System.exit(exitCode);
  }
}
