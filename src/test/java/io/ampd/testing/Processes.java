package io.ampd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Processes by pid, as tests and benchmarks handle them from outside. */
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

  /**
   * SIGKILLs {@code root} and every descendant it has (found while it is still alive, so
   * PostgreSQL's processes under ampd are found too) and waits up to 10 s for each to exit; returns
   * the pids that did not, each with the reason.
   */
  public static List<String> killTree(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>();
    root.descendants().forEach(all::add);
    all.add(root);
    for (ProcessHandle handle : all) {
      handle.destroyForcibly();
    }
    List<String> left = new ArrayList<>();
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        left.add("pid " + handle.pid() + " still running after SIGKILL: " + e);
      }
    }
    return left;
  }
}
