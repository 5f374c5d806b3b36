package io.ampd.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Signals by pid through {@code kill}, for the ones the JDK cannot send (INT, QUIT). */
final class Signals {
  private Signals() {}

  static void send(String name, long pid) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(pid))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!kill.waitFor(5, TimeUnit.SECONDS)) {
      kill.destroyForcibly();
    }
  }
}
