package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of the postmaster, started directly (no pg_ctl) and socket only: {@code listen_addresses}
 * empty, the socket dir private (0700). Ready when {@code postmaster.pid} names this child and says
 * {@code ready}; the caller then checks {@code SELECT 1}.
 */
final class ServerProcess {
  static final int PORT = 5432;

  /** How often a wait on a local process or file (the postmaster, its pid file) looks again. */
  static final Duration POLL = Duration.ofMillis(2);

  /** How long a process gets to go after SIGKILL. */
  static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Process process;
  private final ProcessOutput output;
  private final Path dataDir;

  private ServerProcess(Process process, ProcessOutput output, Path dataDir) {
    this.process = process;
    this.output = output;
    this.dataDir = dataDir;
  }

  static ServerProcess start(
      Launcher launcher,
      Binaries binaries,
      Path dataDir,
      Path socketDir,
      Map<String, String> serverSettings)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binaries.postgres().toString());
    command.addAll(List.of("-D", dataDir.toString(), "-p", Integer.toString(PORT)));
    command.addAll(List.of("-c", "listen_addresses="));
    command.addAll(List.of("-c", "unix_socket_directories=" + quoteListItem(socketDir.toString())));
    command.addAll(List.of("-c", "unix_socket_permissions=0700"));
    // ampd's log adds the time; PostgreSQL's own prefix keeps only the server process id.
    command.addAll(List.of("-c", "log_line_prefix=[%p] "));
    serverSettings.forEach((k, v) -> command.addAll(List.of("-c", k + "=" + v)));
    Process process = launcher.start(command, true);
    ProcessOutput output = new ProcessOutput("postgres", 50, false);
    output.pump(process, "postgres-log");
    return new ServerProcess(process, output, dataDir);
  }

  /** Quotes a path for a GUC list, so commas and spaces in it survive. */
  private static String quoteListItem(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Process process() {
    return process;
  }

  ProcessOutput output() {
    return output;
  }

  /**
   * Waits until {@code postmaster.pid} names this child and says ready; false when the child
   * exited, an error when the deadline passed.
   */
  boolean awaitPidFileReady(long deadlineNanos) {
    while (true) {
      if (!process.isAlive()) {
        return false;
      }
      Optional<PidFile> pf = PidFile.read(dataDir);
      if (pf.isPresent() && pf.get().pid() == process.pid() && pf.get().ready()) {
        return true;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw notReady("did not become ready in time");
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** The error for a postmaster that failed to start, quoting its last log lines. */
  AmpdException notReady(String what) {
    output.awaitEnd();
    String exit = process.isAlive() ? "" : " (exit " + process.exitValue() + ")";
    return new AmpdException(
        "PostgreSQL in " + dataDir + " " + what + exit + "; last log lines: " + output.tail(10),
        "see the PostgreSQL log lines above; fix the cause (disk space, permissions, settings)"
            + " and start again");
  }

  /**
   * Stops the postmaster: {@code firstSignal} (INT fast, QUIT immediate), escalating to SIGQUIT
   * after {@code timeout} and to SIGKILL after another. Returns true when it is gone.
   */
  boolean stop(String firstSignal, Duration timeout) {
    List<String> signals =
        firstSignal.equals("QUIT") ? List.of("QUIT", "KILL") : List.of("INT", "QUIT", "KILL");
    for (String signal : signals) {
      if (!process.isAlive()) {
        return true;
      }
      if (signal.equals("KILL")) {
        process.destroyForcibly();
      } else {
        Signals.send(process.pid(), signal);
      }
      if (waitFor(signal.equals("KILL") ? KILL_WAIT : timeout)) {
        output.awaitEnd();
        return true;
      }
    }
    return !process.isAlive();
  }

  boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
