package io.ampd.postgres;

import java.nio.file.Path;

/**
 * A directory holding {@code initdb} and {@code postgres} of one PostgreSQL version.
 *
 * @param dir the bin directory
 * @param version the full version, e.g. {@code 15.18}
 * @param source why these were chosen, e.g. {@code found on PATH}
 */
record Binaries(Path dir, String version, String source) {

  Path postgres() {
    return dir.resolve("postgres");
  }

  Path initdb() {
    return dir.resolve("initdb");
  }

  /** The major version as PostgreSQL writes it in {@code PG_VERSION}: {@code 15}, {@code 9.6}. */
  String major() {
    return majorOf(version);
  }

  static String majorOf(String version) {
    String[] parts = version.split("\\.");
    if (parts.length >= 2 && parts[0].equals("9")) {
      return parts[0] + "." + parts[1];
    }
    return parts[0];
  }

  @Override
  public String toString() {
    return "PostgreSQL " + version + " from " + dir + " (" + source + ")";
  }
}
