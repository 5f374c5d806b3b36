package io.ampd.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads what Linux {@code /proc} says about a process: whether it is alive (a zombie is not),
 * which program it runs and its working directory. A PostgreSQL postmaster chdirs into its data
 * directory, so the working directory tells which cluster it serves.
 */
final class ProcFs {
  private final Path proc;

  ProcFs(Path proc) {
    this.proc = proc;
  }

  static ProcFs system() {
    return new ProcFs(Path.of("/proc"));
  }

  static boolean available() {
    return Files.isDirectory(Path.of("/proc/self"));
  }

  /** True when the process exists and is not a zombie. */
  boolean isAlive(long pid) {
    try {
      String stat = Files.readString(proc.resolve(pid + "/stat"), StandardCharsets.UTF_8);
      return !isZombieOrDead(stat);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * True for a {@code /proc/<pid>/stat} line of a zombie ({@code Z}) or dead ({@code X}) task.
   * The command name may hold spaces and parentheses, so the state is read after the last ')'.
   */
  static boolean isZombieOrDead(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0 || close + 2 >= statLine.length()) {
      return true;
    }
    char state = statLine.charAt(close + 2);
    return state == 'Z' || state == 'X' || state == 'x';
  }

  /** The program's file name ({@code postgres}), from exe or else the command line. */
  Optional<String> programName(long pid) {
    try {
      Path exe = Files.readSymbolicLink(proc.resolve(pid + "/exe"));
      return Optional.of(exe.getFileName().toString().replace(" (deleted)", ""));
    } catch (IOException | UnsupportedOperationException e) {
      // Fall through: another user's process, or a kernel thread.
    }
    try {
      byte[] cmdline = Files.readAllBytes(proc.resolve(pid + "/cmdline"));
      int end = 0;
      while (end < cmdline.length && cmdline[end] != 0) {
        end++;
      }
      if (end == 0) {
        return Optional.empty();
      }
      String arg0 = new String(cmdline, 0, end, StandardCharsets.UTF_8);
      String first = arg0.split(" ", 2)[0];
      return Optional.of(first.substring(first.lastIndexOf('/') + 1).replace(":", ""));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The working directory, resolved; empty when unreadable. */
  Optional<Path> cwd(long pid) {
    try {
      return Optional.of(proc.resolve(pid + "/cwd").toRealPath());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
