package io.ampd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every benchmark's main shares: the {@code -D} settings it takes (checked with a message
 * naming the property), and how it ends (the report on stdout and in {@code -Dbench.out}).
 */
final class BenchProperties {
  private BenchProperties() {}

  /** An integer property of at least {@code min}, or {@code defaultValue} when unset. */
  static int intProperty(String name, int defaultValue, int min) {
    String value = System.getProperty(name, "");
    int n;
    try {
      n = value.isBlank() ? defaultValue : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
    }
    if (n < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + n);
    }
    return n;
  }

  /** A property naming a file that exists (the jar and launcher the bench profile passes). */
  static Path existing(String property) {
    String value = System.getProperty(property);
    if (value == null || !Files.exists(Path.of(value))) {
      throw new IllegalArgumentException(
          "-D" + property + " must name an existing file (run 'mvn -B -Pbench package'): " + value);
    }
    return Path.of(value);
  }

  /** Prints {@code report} and writes it to {@code out} when that names a file. */
  static void publish(String report, String out) throws IOException {
    System.out.println();
    System.out.print(report);
    System.out.flush();
    if (!out.isEmpty()) {
      Path file = Path.of(out);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, report, StandardCharsets.UTF_8);
      System.err.println("bench: report written to " + file);
    }
  }

  /**
   * The environment ampd runs with in a benchmark: this one without any {@code AMP_}/{@code AMPD_}
   * setting of the caller (mapped to null: removed), with {@code jar} and this JVM's Java.
   */
  static Map<String, String> ampdEnvironment(Path jar) {
    Map<String, String> env = new HashMap<>();
    System.getenv().keySet().stream()
        .filter(k -> k.startsWith("AMP_") || k.startsWith("AMPD_"))
        .forEach(k -> env.put(k, null));
    env.put("AMPD_JAR", jar.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  /**
   * Installs the hook that cleans up when a benchmark is interrupted: SIGKILL to every child still
   * running, then the temp dir {@code current} holds, if any. Pass it to {@link #exit}.
   */
  static Thread cleanupOnInterrupt(AtomicReference<TempDir> current) {
    Thread hook =
        new Thread(
            () -> {
              Child.closeAll();
              TempDir dir = current.get();
              if (dir != null) {
                dir.close();
              }
            },
            "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /** Drops the clean-up {@code hook} (its work is done) and exits 0 if {@code ok}, else 1. */
  static void exit(Thread hook, boolean ok) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      return; // interrupted: the hook is cleaning up and the JVM is on its way out
    }
    System.exit(ok ? 0 : 1);
  }
}
