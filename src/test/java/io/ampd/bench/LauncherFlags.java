package io.ampd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags of the launcher {@code packaging/ampd}, read from its {@code jvm_opts=(...)} line
 * so the benchmark runs ampd exactly as users do and never drifts from the script.
 */
final class LauncherFlags {
  private static final String PREFIX = "jvm_opts=(";

  private LauncherFlags() {}

  static List<String> read(Path launcher) throws IOException {
    for (String line : Files.readAllLines(launcher, StandardCharsets.UTF_8)) {
      String l = line.trim();
      if (l.startsWith(PREFIX) && l.endsWith(")")) {
        String inner = l.substring(PREFIX.length(), l.length() - 1).trim();
        if (inner.contains("$") || inner.contains("\"") || inner.contains("'")) {
          break;
        }
        return List.copyOf(Arrays.asList(inner.split("\\s+")));
      }
    }
    throw new BenchException(
        "cannot find a plain 'jvm_opts=(...)' line in " + launcher,
        "the benchmark reads ampd's JVM flags from that line; keep it literal (no quotes or"
            + " variables)");
  }
}
