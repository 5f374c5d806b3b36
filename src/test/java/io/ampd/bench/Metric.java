package io.ampd.bench;

/** What the benchmark measures, in the order of the printed table. */
enum Metric {
  COLD_START("ampd solo cold start (fresh amp dir) → /healthz 200", Unit.MS),
  WARM_START("ampd solo warm start (existing cluster) → /healthz 200", Unit.MS),
  WARM_JSONL("ampd solo warm start → JSON Lines GET /health 200", Unit.MS),
  WARM_FLIGHT("ampd solo warm start → Flight GetSqlInfo answered", Unit.MS),
  WARM_START_ALL(
      "ampd solo warm start → all endpoints answer (admin /healthz 200, JSON Lines /health 200,"
          + " Flight GetSqlInfo)",
      Unit.MS),
  WARM_START_ADMIN_ONLY(
      "ampd solo --admin-server warm start (admin API only, no query endpoint) → /healthz 200",
      Unit.MS),
  FLIGHT_PROBE("Flight GetSqlInfo probe alone on a ready ampd (new gRPC channel)", Unit.MS),
  SIGTERM_EXIT("ampd SIGTERM → process exit (PostgreSQL stopped)", Unit.MS),
  JVM_RSS_COLD("ampd JVM idle RSS, 2 s after cold start", Unit.MIB),
  JVM_RSS_WARM("ampd JVM idle RSS, 2 s after warm start", Unit.MIB),
  PG_RSS("PostgreSQL idle RSS, sum over postmaster + children", Unit.MIB),
  PG_PSS("PostgreSQL idle PSS, sum over postmaster + children", Unit.MIB),
  PG_PROCESSES("PostgreSQL processes (postmaster + children)", Unit.COUNT),
  JVM_FLOOR("floor: bare JVM (same flags, Noop main) → exit", Unit.MS),
  INITDB_FLOOR("floor: initdb alone", Unit.MS),
  PG_READY_FLOOR("floor: raw postgres start → postmaster.pid ready", Unit.MS),
  PG_SELECT_FLOOR("floor: raw postgres start → SELECT 1 over the socket", Unit.MS),
  PG_STOP_FLOOR("floor: raw postgres SIGINT (fast shutdown) → exit", Unit.MS);

  /** How a metric's values print. */
  enum Unit {
    MS,
    MIB,
    COUNT
  }

  final String label;
  final Unit unit;

  Metric(String label, Unit unit) {
    this.label = label;
    this.unit = unit;
  }

  String format(double value) {
    return switch (unit) {
      case MS -> String.format(java.util.Locale.ROOT, "%.0f ms", value);
      case MIB -> String.format(java.util.Locale.ROOT, "%.1f MiB", value);
      case COUNT -> String.format(java.util.Locale.ROOT, "%.0f", value);
    };
  }
}
