package io.ampd.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Samples per metric, plus what the table cannot show: ampd's exit codes on SIGTERM, whether
 * PostgreSQL was cleanly gone, and the errors that stopped a measurement. Samples taken while
 * {@link #recording} is off (warm-up rounds) are dropped.
 */
final class Results {
  private final Map<Metric, Stats> stats = new EnumMap<>(Metric.class);
  private final List<Integer> sigtermExitCodes = new ArrayList<>();
  private final List<String> uncleanStops = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private boolean recording;

  void recording(boolean on) {
    recording = on;
  }

  void add(Metric metric, double value) {
    if (recording) {
      stats.computeIfAbsent(metric, m -> new Stats()).add(value);
    }
  }

  void sigtermExit(int code, String uncleanReason) {
    if (recording) {
      sigtermExitCodes.add(code);
      if (uncleanReason != null) {
        uncleanStops.add(uncleanReason);
      }
    }
  }

  void error(String message) {
    errors.add(message);
  }

  void note(String message) {
    if (!notes.contains(message)) {
      notes.add(message);
    }
  }

  Stats get(Metric metric) {
    return stats.getOrDefault(metric, new Stats());
  }

  List<Integer> sigtermExitCodes() {
    return sigtermExitCodes;
  }

  List<String> uncleanStops() {
    return uncleanStops;
  }

  List<String> errors() {
    return errors;
  }

  List<String> notes() {
    return notes;
  }
}
