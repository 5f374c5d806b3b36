package io.ampd.core;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named points where a test can make the process die as if killed, to check that what was written
 * before is repaired by the next start. A point is armed by naming it in the environment variable
 * {@code AMPD_FAULT} (comma-separated); unarmed points cost one set lookup. Nothing arms them in
 * normal use.
 */
public final class Faults {
  private static final Logger LOG = LoggerFactory.getLogger(Faults.class);

  /** The variable that arms points. */
  public static final String ENV = "AMPD_FAULT";

  /** Exit status of a process halted at a point, as if killed by SIGKILL (128 + 9). */
  public static final int HALT_STATUS = 137;

  private static final Set<String> ARMED = parse(System.getenv(ENV));

  private Faults() {}

  /** Halts the JVM at once, without shutdown hooks, when {@code point} is armed. */
  public static void at(String point) {
    if (!ARMED.isEmpty() && ARMED.contains(point)) {
      LOG.error("fault point {} reached: halting as if killed ({} is set)", point, ENV);
      Runtime.getRuntime().halt(HALT_STATUS);
    }
  }

  private static Set<String> parse(String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    return Set.of(value.trim().split("\\s*,\\s*"));
  }
}
