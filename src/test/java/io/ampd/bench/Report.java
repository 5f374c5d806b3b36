package io.ampd.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Markdown the benchmark prints: the machine, how ampd was run, one table of medians over the
 * runs, and the targets computed from those medians, each marked met or not.
 */
final class Report {
  static final double WARM_SLACK_MS = 400;
  static final double COLD_SLACK_MS = 500;
  static final double SIGTERM_LIMIT_MS = 1000;
  static final double JVM_RSS_LIMIT_MIB = 150;
  static final double ALL_ENDPOINTS_SLACK_MS = 100;

  private final Results results;

  Report(Results results) {
    this.results = results;
  }

  String markdown(Machine machine, List<String> ampdCommand, int runs, int warmup) {
    StringBuilder out = new StringBuilder();
    out.append("## ampd startup benchmark\n\n");
    out.append(machine.markdown()).append("\n\n");
    out.append("ampd run as: `")
        .append(String.join(" ", ampdCommand))
        .append(" --amp-dir DIR solo`; admin API only: `... solo --admin-server`\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "%d runs (after %d warm-up round%s, not counted); each run does every measurement"
                + " once (SIGTERM twice: after the cold and after the warm start); the warm start"
                + " of the admin API alone runs after the warm start of solo in one run, before it"
                + " in the next.\n\n",
            runs,
            warmup,
            warmup == 1 ? "" : "s"));
    table(out);
    stops(out);
    targets(out);
    for (String note : results.notes()) {
      out.append("Note: ").append(note).append("\n");
    }
    for (String error : results.errors()) {
      out.append("ERROR: ").append(error).append("\n");
    }
    return out.toString();
  }

  private void table(StringBuilder out) {
    out.append("| metric | median | min | max | runs |\n");
    out.append("|---|--:|--:|--:|--:|\n");
    for (Metric metric : Metric.values()) {
      Stats s = results.get(metric);
      if (s.isEmpty()) {
        out.append("| ").append(metric.label).append(" | not measured | | | 0 |\n");
        continue;
      }
      out.append("| ")
          .append(metric.label)
          .append(" | ")
          .append(metric.format(s.median()))
          .append(" | ")
          .append(metric.format(s.min()))
          .append(" | ")
          .append(metric.format(s.max()))
          .append(" | ")
          .append(s.count())
          .append(" |\n");
    }
    out.append("\n");
  }

  private void stops(StringBuilder out) {
    List<Integer> codes = results.sigtermExitCodes();
    if (codes.isEmpty()) {
      return;
    }
    Map<Integer, Integer> byCode = new TreeMap<>();
    codes.forEach(c -> byCode.merge(c, 1, Integer::sum));
    StringBuilder codeText = new StringBuilder();
    byCode.forEach(
        (code, n) ->
            codeText
                .append(codeText.length() == 0 ? "" : ", ")
                .append(code)
                .append(" ×")
                .append(n));
    int clean = codes.size() - results.uncleanStops().size();
    out.append("ampd exit codes after SIGTERM: ")
        .append(codeText)
        .append("; PostgreSQL cleanly gone (postmaster.pid removed, postmaster dead): ")
        .append(clean)
        .append("/")
        .append(codes.size())
        .append("\n");
    for (String unclean : results.uncleanStops()) {
      out.append("- unclean stop: ").append(unclean).append("\n");
    }
    out.append("\n");
  }

  private void targets(StringBuilder out) {
    out.append("| target (from this run's medians) | limit | measured | met |\n");
    out.append("|---|--:|--:|:-:|\n");
    Double jvm = median(Metric.JVM_FLOOR);
    Double pgReady = median(Metric.PG_READY_FLOOR);
    Double initdb = median(Metric.INITDB_FLOOR);
    Double warm = median(Metric.WARM_START);
    Double cold = median(Metric.COLD_START);
    Double stop = median(Metric.SIGTERM_EXIT);
    Double rssCold = median(Metric.JVM_RSS_COLD);
    Double rssWarm = median(Metric.JVM_RSS_WARM);
    Double warmAll = median(Metric.WARM_START_ALL);
    Double warmAdminOnly = median(Metric.WARM_START_ADMIN_ONLY);

    row(
        out,
        "warm start ≤ JVM floor + raw postgres start + 400 ms",
        sum(jvm, pgReady, WARM_SLACK_MS),
        warm,
        Metric.Unit.MS,
        true);
    row(
        out,
        "cold start ≤ warm start + initdb + 500 ms",
        sum(warm, initdb, COLD_SLACK_MS),
        cold,
        Metric.Unit.MS,
        true);
    row(
        out,
        "warm start, all endpoints ≤ warm start of the admin API alone + 100 ms",
        warmAdminOnly == null ? null : warmAdminOnly + ALL_ENDPOINTS_SLACK_MS,
        warmAll,
        Metric.Unit.MS,
        true);
    boolean cleanStops =
        !results.sigtermExitCodes().isEmpty()
            && results.uncleanStops().isEmpty()
            && results.sigtermExitCodes().stream().allMatch(c -> c == 0);
    row(
        out,
        "SIGTERM → exit ≤ 1000 ms, exit code 0, PostgreSQL cleanly shut down",
        SIGTERM_LIMIT_MS,
        stop,
        Metric.Unit.MS,
        cleanStops);
    Double rss = rssCold;
    if (rss == null || (rssWarm != null && rssWarm > rss)) {
      rss = rssWarm;
    }
    row(
        out,
        "ampd JVM idle RSS ≤ 150 MiB (larger of cold/warm medians)",
        JVM_RSS_LIMIT_MIB,
        rss,
        Metric.Unit.MIB,
        true);
    out.append("\n");
  }

  private static void row(
      StringBuilder out,
      String target,
      Double limit,
      Double measured,
      Metric.Unit unit,
      boolean extraCondition) {
    String met;
    if (limit == null || measured == null) {
      met = "not measured";
    } else {
      met = measured <= limit && extraCondition ? "yes" : "**NO**";
    }
    out.append("| ")
        .append(target)
        .append(" | ")
        .append(limit == null ? "—" : format(limit, unit))
        .append(" | ")
        .append(measured == null ? "—" : format(measured, unit))
        .append(" | ")
        .append(met)
        .append(" |\n");
  }

  private static String format(double value, Metric.Unit unit) {
    return unit == Metric.Unit.MIB
        ? String.format(Locale.ROOT, "%.1f MiB", value)
        : String.format(Locale.ROOT, "%.0f ms", value);
  }

  private Double median(Metric metric) {
    Stats s = results.get(metric);
    return s.isEmpty() ? null : s.median();
  }

  private static Double sum(Double a, Double b, double slack) {
    return a == null || b == null ? null : a + b + slack;
  }
}
