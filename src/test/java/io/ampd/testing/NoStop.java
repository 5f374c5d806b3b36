package io.ampd.testing;

import io.ampd.worker.StopSignal;
import java.time.Duration;

/** A stop signal for code run outside a worker: never set; waiting on it just sleeps. */
public final class NoStop implements StopSignal {
  public static final StopSignal NEVER = new NoStop();

  private NoStop() {}

  @Override
  public boolean stopRequested() {
    return false;
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    Thread.sleep(timeout.toMillis());
    return false;
  }
}
