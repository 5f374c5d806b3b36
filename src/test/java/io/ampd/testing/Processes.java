package io.ampd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Whether a process (by pid) still runs, as tests and benchmarks check from outside. */
public final class Processes {
  private Processes() {}

  /** True while {@code pid} exists and is not a zombie (exited, not yet reaped). */
  public static boolean alive(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends signal {@code name} (TERM, KILL, STOP, CONT, …) to {@code pid} with {@code kill}, which
   * the JDK cannot do for most of them; true when {@code kill} succeeded within 5 s.
   */
  public static boolean signal(String name, long pid) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(pid))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
  }

  /** Waits until {@code pid} is gone (or a zombie); false on timeout. */
  public static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!alive(pid)) {
        return true;
      }
      Thread.sleep(20);
    }
    return !alive(pid);
  }
}
