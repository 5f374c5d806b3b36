package io.ampd.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends a named signal to a process with {@code kill -<SIG> <pid>}. Java's own {@code destroy()}
 * sends SIGTERM, which PostgreSQL takes as a smart shutdown (wait for clients): not what a
 * supervisor wants. PostgreSQL reads SIGINT as fast shutdown, SIGQUIT as immediate shutdown.
 *
 * <p>{@code kill} is looked up on {@code PATH} and then where systems keep it, so a service started
 * with a bare environment (no {@code PATH}) still stops its PostgreSQL at once.
 */
final class Signals {
  /** Where {@code kill} is when {@code PATH} does not name it. */
  private static final List<String> WELL_KNOWN = List.of("/bin/kill", "/usr/bin/kill");

  /** How long {@code kill} itself may take. */
  private static final Duration KILL_COMMAND_WAIT = Duration.ofSeconds(5);

  private Signals() {}

  /** Returns true when {@code kill} reported success. */
  static boolean send(long pid, String signal) {
    List<String> programs = new ArrayList<>(List.of("kill"));
    for (String p : WELL_KNOWN) {
      if (Files.isExecutable(Path.of(p))) {
        programs.add(p);
      }
    }
    for (String program : programs) {
      try {
        Process kill =
            new ProcessBuilder(program, "-" + signal, Long.toString(pid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!kill.waitFor(KILL_COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          kill.destroyForcibly();
          return false;
        }
        return kill.exitValue() == 0;
      } catch (IOException e) {
        // not there: the next one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
