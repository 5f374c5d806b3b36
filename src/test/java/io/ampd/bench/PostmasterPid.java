package io.ampd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * A data dir's {@code postmaster.pid}: line 1 is the postmaster's pid, line 8 its status ({@code
 * starting}, {@code ready}, {@code stopping}) once PostgreSQL has written it.
 */
final class PostmasterPid {
  private PostmasterPid() {}

  static Path file(Path dataDir) {
    return dataDir.resolve("postmaster.pid");
  }

  /** The pid on line 1, empty when the file is missing or not yet written. */
  static OptionalLong pid(Path dataDir) {
    List<String> lines = lines(dataDir);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** True when line 1 is {@code pid} and line 8 says {@code ready}. */
  static boolean isReady(Path dataDir, long pid) {
    List<String> lines = lines(dataDir);
    return lines.size() >= 8
        && lines.get(0).trim().equals(Long.toString(pid))
        && lines.get(7).trim().equals("ready");
  }

  private static List<String> lines(Path dataDir) {
    try {
      return Files.readAllLines(file(dataDir), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }
}
