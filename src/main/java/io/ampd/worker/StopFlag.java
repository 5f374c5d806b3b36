package io.ampd.worker;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A {@link StopSignal} that is set once and stays set. */
public final class StopFlag implements StopSignal {
  private final CountDownLatch latch = new CountDownLatch(1);

  public void set() {
    latch.countDown();
  }

  @Override
  public boolean stopRequested() {
    return latch.getCount() == 0;
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
