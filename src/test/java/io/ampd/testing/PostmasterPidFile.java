package io.ampd.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A data dir's {@code postmaster.pid} read from outside, as tests and benchmarks look at a cluster:
 * line 1 is the postmaster's pid, line 5 its socket dir, line 8 its status ({@code starting},
 * {@code ready}, {@code stopping}) once PostgreSQL has written it.
 */
public final class PostmasterPidFile {
  private PostmasterPidFile() {}

  /** The file itself. */
  public static Path path(Path dataDir) {
    return dataDir.resolve("postmaster.pid");
  }

  /** Its lines, empty when there is no such file. */
  public static Optional<List<String>> lines(Path dataDir) {
    try {
      return Optional.of(Files.readAllLines(path(dataDir), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The pid on line 1, empty when the file is missing or not yet written. */
  public static OptionalLong pid(Path dataDir) {
    List<String> lines = lines(dataDir).orElse(List.of());
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The socket dir on line 5, empty when the file is missing or not yet written. */
  public static Optional<Path> socketDir(Path dataDir) {
    List<String> lines = lines(dataDir).orElse(List.of());
    return lines.size() >= 5 ? Optional.of(Path.of(lines.get(4).trim())) : Optional.empty();
  }

  /** True when line 1 is {@code pid} and line 8 says {@code ready}. */
  public static boolean isReady(Path dataDir, long pid) {
    List<String> lines = lines(dataDir).orElse(List.of());
    return lines.size() >= 8
        && lines.get(0).trim().equals(Long.toString(pid))
        && lines.get(7).trim().equals("ready");
  }
}
