package io.ampd.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Copies a child's merged stdout/stderr, line by line, to an SLF4J logger named after it ({@code
 * postgres}, {@code initdb}), which prefixes every line with that name; runs on a named daemon
 * thread and keeps the last lines for error messages.
 */
final class ProcessOutput {
  /** How long the output is read on after the process ended. */
  private static final Duration END_WAIT = Duration.ofSeconds(1);

  private final Logger log;
  private final String prefix;
  private final int keep;
  private final boolean quiet;
  private final Deque<String> last = new ArrayDeque<>();
  private Thread thread;

  /** {@code quiet}: log at DEBUG (initdb's chatter); errors quote the kept lines anyway. */
  ProcessOutput(String prefix, int keep, boolean quiet) {
    this.prefix = prefix;
    this.log = LoggerFactory.getLogger(prefix);
    this.keep = keep;
    this.quiet = quiet;
  }

  void pump(Process process, String threadName) {
    thread = new Thread(() -> copy(process), threadName + "-" + process.pid());
    thread.setDaemon(true);
    thread.start();
  }

  private void copy(Process process) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        remember(line);
        switch (level(line, quiet)) {
          case WARN -> log.warn(line);
          case INFO -> log.info(line);
          default -> log.debug(line);
        }
      }
    } catch (IOException e) {
      log.debug("{}: output closed: {}", prefix, e.toString());
    }
  }

  /**
   * The level a line of the child's output is logged at: FATAL and PANIC are warnings; routine
   * lines (PostgreSQL's timed checkpoints, every five minutes of an idle server) and everything of
   * a quiet child are debug; the rest is info.
   */
  static Level level(String line, boolean quiet) {
    if (quiet) {
      return Level.DEBUG;
    }
    if (line.contains("FATAL:") || line.contains("PANIC:")) {
      return Level.WARN;
    }
    if (line.contains("LOG:  checkpoint starting:")
        || line.contains("LOG:  checkpoint complete:")) {
      return Level.DEBUG;
    }
    return Level.INFO;
  }

  private synchronized void remember(String line) {
    if (last.size() == keep) {
      last.removeFirst();
    }
    last.addLast(line);
  }

  /** Waits briefly for the output to drain after the process ended. */
  void awaitEnd() {
    try {
      if (thread != null) {
        thread.join(END_WAIT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last {@code n} lines joined with " | ", or a note that there were none. */
  synchronized String tail(int n) {
    List<String> lines = new ArrayList<>(last);
    List<String> tail = lines.subList(Math.max(0, lines.size() - n), lines.size());
    return tail.isEmpty() ? "(no output)" : String.join(" | ", tail);
  }

  synchronized boolean contains(String text) {
    return last.stream().anyMatch(l -> l.contains(text));
  }
}
