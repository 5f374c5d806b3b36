package io.ampd.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The postmaster's lock file {@code postmaster.pid}: line 1 the pid, line 2 the data directory,
 * line 8 the status ({@code starting}, {@code ready}, {@code stopping}), padded with spaces.
 *
 * @param pid the postmaster pid
 * @param dataDir the data directory it serves
 * @param status the status word, or empty while PostgreSQL has not written it yet
 */
record PidFile(long pid, String dataDir, String status) {
  static final String NAME = "postmaster.pid";

  /** Reads the file; empty when it is missing or not (yet) well formed. */
  static Optional<PidFile> read(Path dataDir) {
    return read(dataDir, NAME);
  }

  /** Reads a lock file of the same layout, e.g. the socket's {@code .s.PGSQL.5432.lock}. */
  static Optional<PidFile> read(Path dir, String name) {
    List<String> lines;
    try {
      lines = Files.readAllLines(dir.resolve(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    }
    return parse(lines);
  }

  static Optional<PidFile> parse(List<String> lines) {
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String dir = lines.size() > 1 ? lines.get(1).trim() : "";
    String status = lines.size() > 7 ? lines.get(7).trim() : "";
    return Optional.of(new PidFile(pid, dir, status));
  }

  boolean ready() {
    return status.equals("ready");
  }
}
