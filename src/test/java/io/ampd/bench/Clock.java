package io.ampd.bench;

/** Monotonic milliseconds with sub-millisecond precision. */
final class Clock {
  private Clock() {}

  static long now() {
    return System.nanoTime();
  }

  static double millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }
}
