package io.ampd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads what the benchmark needs from Linux {@code /proc}: memory, state, command line, uid, CPU
 * time, load average.
 */
final class ProcFs {
  private ProcFs() {}

  /** The 1, 5 and 15 minute load averages, or "unknown". */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** {@code VmRSS} in KiB, empty if the process is gone. */
  static OptionalLong rssKib(long pid) {
    return field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
  }

  /** {@code Pss} from {@code smaps_rollup} in KiB: shared pages split among their sharers. */
  static OptionalLong pssKib(long pid) {
    return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
  }

  /** The command line with NULs turned into spaces, empty if the process is gone. */
  static Optional<String> cmdline(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * CPU time (user + system, all threads) of process {@code pid} in clock ticks ({@code utime +
   * stime} of {@code /proc/<pid>/stat}), empty if the process is gone.
   */
  static OptionalLong cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // fields after "(comm)": state is field 3, utime 14, stime 15
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return OptionalLong.of(Long.parseLong(f[11]) + Long.parseLong(f[12]));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The whole machine's CPU ticks since boot from the {@code cpu} line of {@code /proc/stat}:
   * {@code {busy, all}}, busy being everything but idle and iowait.
   */
  static long[] machineTicks() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.UTF_8)) {
      if (l.startsWith("cpu ")) {
        String[] f = l.substring(4).trim().split("\\s+");
        long all = 0;
        for (int i = 0; i < Math.min(8, f.length); i++) {
          all += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[3]) + Long.parseLong(f[4]);
        return new long[] {all - idle, all};
      }
    }
    throw new IOException("no 'cpu' line in /proc/stat");
  }

  /** Clock ticks per second ({@code getconf CLK_TCK}), 100 if that cannot be run. */
  static long ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** True when this JVM runs with uid 0. */
  static boolean isRoot() {
    return line(Path.of("/proc/self/status"), "Uid:")
        .map(l -> l.substring("Uid:".length()).trim().split("\\s+")[0].equals("0"))
        .orElse(false);
  }

  private static OptionalLong field(Path file, String name) {
    Optional<String> l = line(file, name);
    if (l.isEmpty()) {
      return OptionalLong.empty();
    }
    String[] parts = l.get().substring(name.length()).trim().split("\\s+");
    return OptionalLong.of(Long.parseLong(parts[0]));
  }

  private static Optional<String> line(Path file, String prefix) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.stream().filter(l -> l.startsWith(prefix)).findFirst();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
