package io.ampd.worker;

import java.time.Duration;

/** Tells a running job that it should stop; set by the worker on STOP_REQUESTED or shutdown. */
public interface StopSignal {
  boolean stopRequested();

  /** Sleeps up to {@code timeout}, waking early when a stop is requested; true if requested. */
  boolean await(Duration timeout) throws InterruptedException;
}
