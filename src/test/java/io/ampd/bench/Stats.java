package io.ampd.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Samples of one metric (milliseconds, MiB or a count) and their median, min and max. */
final class Stats {
  private final List<Double> samples = new ArrayList<>();

  void add(double value) {
    samples.add(value);
  }

  int count() {
    return samples.size();
  }

  boolean isEmpty() {
    return samples.isEmpty();
  }

  /** The middle sample; the mean of the two middle ones for an even count. */
  double median() {
    List<Double> sorted = sorted();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  double min() {
    return sorted().get(0);
  }

  double max() {
    return sorted().get(samples.size() - 1);
  }

  private List<Double> sorted() {
    if (samples.isEmpty()) {
      throw new IllegalStateException("no samples");
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    return sorted;
  }
}
