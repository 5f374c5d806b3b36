package io.ampd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads what the benchmark needs from Linux {@code /proc}: memory, state, command line, uid. */
final class ProcFs {
  private ProcFs() {}

  /** {@code VmRSS} in KiB, empty if the process is gone. */
  static OptionalLong rssKib(long pid) {
    return field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
  }

  /** {@code Pss} from {@code smaps_rollup} in KiB: shared pages split among their sharers. */
  static OptionalLong pssKib(long pid) {
    return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
  }

  /** True when no such process exists or it is a zombie (exited, not yet reaped). */
  static boolean isDead(long pid) {
    Optional<String> state = line(Path.of("/proc", Long.toString(pid), "status"), "State:");
    return state.isEmpty() || state.get().substring("State:".length()).trim().startsWith("Z");
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
