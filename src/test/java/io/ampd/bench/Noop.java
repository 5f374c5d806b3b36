package io.ampd.bench;

/** The JVM floor: a main that does nothing, started with ampd's JVM flags and timed to exit. */
public final class Noop {
  private Noop() {}

  public static void main(String[] args) {}
}
