package io.ampd.postgres;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Sends a named signal to a process with {@code kill -<SIG> <pid>}. Java's own {@code destroy()}
 * sends SIGTERM, which PostgreSQL takes as a smart shutdown (wait for clients): not what a
 * supervisor wants. PostgreSQL reads SIGINT as fast shutdown, SIGQUIT as immediate shutdown.
 */
final class Signals {
  private Signals() {}

  /** Returns true when {@code kill} reported success. */
  static boolean send(long pid, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        return false;
      }
      return kill.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
