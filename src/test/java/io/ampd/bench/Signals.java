package io.ampd.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Signals by pid through {@code kill}, for the ones the JDK cannot send (INT, QUIT). */
final class Signals {
  private Signals() {}

  /**
   * Starts {@code kill -NAME pid} and returns as soon as it runs (the JDK returns once the command
   * has been exec'd), so a timer started now does not count the cost of the spawn.
   */
  static Process spawn(String name, long pid) throws IOException {
    return new ProcessBuilder("kill", "-" + name, Long.toString(pid))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  static void reap(Process kill) throws InterruptedException {
    if (!kill.waitFor(5, TimeUnit.SECONDS)) {
      kill.destroyForcibly();
    }
  }
}
