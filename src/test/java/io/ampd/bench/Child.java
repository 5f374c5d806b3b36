package io.ampd.bench;

import io.ampd.testing.Processes;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process the benchmark started, with its output in a log file. {@link #close()} leaves nothing
 * running: it SIGKILLs the process and every descendant it has, found by pid while the parent is
 * still alive. Idempotent.
 */
final class Child implements AutoCloseable {
  private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();

  private final Process process;
  private final Path log;
  private final long startNanos;

  private Child(Process process, Path log, long startNanos) {
    this.process = process;
    this.log = log;
    this.startNanos = startNanos;
  }

  /**
   * Starts {@code command} with this environment plus {@code env} (variables mapped to null are
   * removed), stdin from /dev/null, stdout and stderr into {@code log}. The start time is taken
   * just before the spawn, so it includes the cost of forking the process.
   */
  static Child start(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    env.forEach(
        (k, v) -> {
          if (v == null) {
            builder.environment().remove(k);
          } else {
            builder.environment().put(k, v);
          }
        });
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    long start = Clock.now();
    Child child = new Child(builder.start(), log, start);
    LIVE.add(child);
    return child;
  }

  /** Closes every child not closed yet: for a shutdown hook when the benchmark is interrupted. */
  static void closeAll() {
    for (Child child : List.copyOf(LIVE)) {
      child.close();
    }
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  long startNanos() {
    return startNanos;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for exit; throws with the log tail if it takes longer than {@code timeoutMs}. */
  int waitFor(long timeoutMs, String what) throws InterruptedException {
    if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
      throw new BenchException(
          what + " (pid " + pid() + ") did not exit within " + timeoutMs + " ms", logTail());
    }
    return process.exitValue();
  }

  /** SIGTERM, sent by the JDK itself (no helper process in between). */
  void terminate() {
    process.destroy();
  }

  /** The last lines of the log, for error messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "<cannot read " + log + ": " + e + ">";
    }
  }

  @Override
  public void close() {
    LIVE.remove(this);
    for (String left : Processes.killTree(process.toHandle())) {
      System.err.println("bench: " + left);
    }
  }
}
