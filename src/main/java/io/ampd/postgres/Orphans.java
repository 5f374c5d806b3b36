package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears what an earlier ampd left behind (docs/design.md "Managed PostgreSQL" 4). A lock file
 * ({@code postmaster.pid}, or the socket's {@code .s.PGSQL.<port>.lock}) names a pid; that pid is:
 *
 * <ul>
 *   <li>OURS: a live postgres whose working directory is this data dir (the postmaster chdirs
 *       there). It is stopped: SIGINT (fast shutdown), SIGQUIT after the stop timeout, SIGKILL
 *       last.
 *   <li>DEAD (gone, or a zombie) or OTHER (a live process that provably is not a postgres of this
 *       dir): never signalled; the stale lock file is removed, since PostgreSQL itself would refuse
 *       a lock file naming a live pid it may signal, zombies included.
 *   <li>UNKNOWN (we may not read its /proc entries): left for PostgreSQL to judge.
 * </ul>
 *
 * <p>Without /proc (macOS), a live process whose command is postgres and whose lock file names this
 * data dir counts as OURS; everything else is left for PostgreSQL.
 */
final class Orphans {
  private static final Logger log = LoggerFactory.getLogger(Orphans.class);

  enum Kind {
    OURS,
    DEAD,
    OTHER,
    UNKNOWN
  }

  private final ProcFs proc;
  private final boolean hasProc;

  Orphans(ProcFs proc, boolean hasProc) {
    this.proc = proc;
    this.hasProc = hasProc;
  }

  /** Stops an orphaned postmaster of {@code dataDir} and removes stale lock files. */
  void clear(Path dataDir, Path socketLock, Duration stopTimeout) throws IOException {
    Path real = dataDir.toRealPath();
    Optional<PidFile> pidFile = PidFile.read(dataDir);
    if (pidFile.isPresent()) {
      long pid = pidFile.get().pid();
      Kind kind = classify(pid, real, pidFile.get().dataDir());
      if (kind == Kind.OURS) {
        log.warn(
            "An earlier PostgreSQL (pid {}) still serves {}; stopping it (fast shutdown)",
            pid,
            dataDir);
        stop(pid, stopTimeout);
        kind = Kind.DEAD;
      }
      removeIfStale(dataDir.resolve(PidFile.NAME), pid, kind);
    }
    Optional<PidFile> lock =
        PidFile.read(socketLock.getParent(), socketLock.getFileName().toString());
    if (lock.isPresent()) {
      long pid = lock.get().pid();
      Kind kind = classify(pid, real, lock.get().dataDir());
      if (removeIfStale(socketLock, pid, kind)) {
        String name = socketLock.getFileName().toString();
        Files.deleteIfExists(socketLock.resolveSibling(name.substring(0, name.length() - 5)));
      }
    }
  }

  private static boolean removeIfStale(Path file, long pid, Kind kind) throws IOException {
    if (kind == Kind.DEAD || kind == Kind.OTHER) {
      log.info(
          "Removing stale {} (pid {} is {})",
          file,
          pid,
          kind == Kind.DEAD ? "gone" : "not" + " a PostgreSQL of this cluster");
      Files.deleteIfExists(file);
      return true;
    }
    return false;
  }

  Kind classify(long pid, Path realDataDir, String lockDataDir) {
    if (!hasProc) {
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent()
          && handle.get().isAlive()
          && handle.get().info().command().map(c -> c.endsWith("/postgres")).orElse(false)
          && Path.of(lockDataDir).toAbsolutePath().normalize().equals(realDataDir)) {
        return Kind.OURS;
      }
      return Kind.UNKNOWN;
    }
    if (!proc.isAlive(pid)) {
      return Kind.DEAD;
    }
    Optional<String> program = proc.programName(pid);
    if (program.isEmpty()) {
      return Kind.UNKNOWN;
    }
    if (!program.get().equals("postgres")) {
      return Kind.OTHER;
    }
    Optional<Path> cwd = proc.cwd(pid);
    if (cwd.isEmpty()) {
      return Kind.UNKNOWN;
    }
    return cwd.get().equals(realDataDir) ? Kind.OURS : Kind.OTHER;
  }

  private void stop(long pid, Duration stopTimeout) {
    long start = System.nanoTime();
    String[] signals = {"INT", "QUIT", "KILL"};
    for (String signal : signals) {
      Signals.send(pid, signal);
      Duration wait = signal.equals("KILL") ? ServerProcess.KILL_WAIT : stopTimeout;
      if (awaitGone(pid, wait)) {
        log.info(
            "Stopped the earlier PostgreSQL (pid {}) in {} ms",
            pid,
            (System.nanoTime() - start) / 1_000_000);
        return;
      }
      log.warn("Earlier PostgreSQL (pid {}) did not stop after SIG{}; escalating", pid, signal);
    }
    throw new AmpdException(
        "an earlier PostgreSQL (pid " + pid + ") still runs and ignores SIGKILL",
        "stop process " + pid + " by hand, then start again");
  }

  private boolean awaitGone(long pid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!alive(pid)) {
        return true;
      }
      LockSupport.parkNanos(ServerProcess.POLL.toNanos());
    }
    return !alive(pid);
  }

  private boolean alive(long pid) {
    return hasProc
        ? proc.isAlive(pid)
        : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
