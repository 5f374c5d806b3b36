package io.ampd.bench;

import java.util.List;
import java.util.Locale;

/** The Markdown the job latency benchmark prints: setup, one table of medians/min/max, errors. */
final class JobReport {
  private final JobLatencyProbe probe;

  JobReport(JobLatencyProbe probe) {
    this.probe = probe;
  }

  String markdown(
      Machine machine,
      List<String> ampdCommand,
      String setup,
      int runs,
      int warmup,
      List<String> errors) {
    StringBuilder out = new StringBuilder();
    out.append("## ampd job latency benchmark\n\n");
    out.append(machine.markdown()).append("\n\n");
    out.append("ampd run as: `")
        .append(String.join(" ", ampdCommand))
        .append(" --amp-dir DIR solo`; ")
        .append(setup)
        .append("\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "%d runs (after %d warm-up round%s, not counted); each run deploys and stops one job"
                + " of each kind, every deploy creating a new job.\n\n",
            runs,
            warmup,
            warmup == 1 ? "" : "s"));
    out.append("| metric | median | min | max | samples |\n");
    out.append("|---|--:|--:|--:|--:|\n");
    for (JobLatencyProbe.Metric metric : JobLatencyProbe.Metric.values()) {
      Stats s = probe.get(metric);
      out.append("| ").append(metric.label).append(" | ");
      if (s.isEmpty()) {
        out.append("not measured | | | 0 |\n");
      } else {
        out.append(ms(s.median()))
            .append(" | ")
            .append(ms(s.min()))
            .append(" | ")
            .append(ms(s.max()))
            .append(" | ")
            .append(s.count())
            .append(" |\n");
      }
    }
    out.append("\n");
    for (String error : errors) {
      out.append("ERROR: ").append(error).append("\n");
    }
    return out.toString();
  }

  private static String ms(double value) {
    return String.format(Locale.ROOT, "%.1f ms", value);
  }
}
