package io.ampd.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code -D} settings the benchmarks take, checked with a message naming the property. */
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
}
