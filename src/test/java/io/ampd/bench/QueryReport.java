package io.ampd.bench;

import io.ampd.bench.QueryBench.RecordedFile;
import io.ampd.bench.QueryBench.Settings;
import io.ampd.config.ServerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the query benchmark measured, and its Markdown: the setup, the latency of each query by
 * path, the targets computed from those medians, the streaming rates, and every error (a result
 * whose row count differs from the floor's is one).
 */
final class QueryReport {
  private final Settings settings;
  private final ServerConfig server;
  private final Map<String, List<RecordedFile>> files;
  private final double extractSeconds;
  private final List<String> paths;
  private final Map<String, Map<String, Stats>> latency = new LinkedHashMap<>();
  private final Map<String, Stats> rows = new LinkedHashMap<>();
  private final Map<String, String> sql = new LinkedHashMap<>();
  private final Map<String, Stream> streams = new LinkedHashMap<>();
  private final Map<String, Meter.Phase> phases = new LinkedHashMap<>();
  private final List<String> errors = new ArrayList<>();

  /** One path's streaming rounds. */
  private static final class Stream {
    final Stats seconds = new Stats();
    long rows;
    long bytes;
  }

  QueryReport(
      Settings settings,
      ServerConfig server,
      Map<String, List<RecordedFile>> files,
      double extractSeconds,
      List<SqlPath> paths) {
    this.settings = settings;
    this.server = server;
    this.files = files;
    this.extractSeconds = extractSeconds;
    this.paths = paths.stream().map(SqlPath::label).toList();
  }

  void latency(String query, String path, double ms) {
    latency
        .computeIfAbsent(query, q -> new LinkedHashMap<>())
        .computeIfAbsent(path, p -> new Stats())
        .add(ms);
  }

  /**
   * The row counts of one iteration of {@code query}, by path; the first path (the floor) is the
   * reference, and any other count is an error (-1: not counted).
   */
  void rows(String query, int iteration, Map<String, Long> byPath, boolean counted) {
    Long floor = byPath.get(paths.get(0));
    if (counted && floor != null) {
      rows.computeIfAbsent(query, q -> new Stats()).add(floor);
    }
    byPath.forEach(
        (path, n) -> {
          if (n >= 0 && !n.equals(floor) && errors.size() < 20) {
            errors.add(
                String.format(
                    Locale.ROOT,
                    "%s, iteration %d: %s gave %,d rows, %s %,d",
                    query,
                    iteration,
                    path,
                    n,
                    paths.get(0),
                    floor));
          }
        });
  }

  /** The SQL of {@code query} as the server got it, for the report. */
  void sql(String query, String text) {
    sql.put(query, text);
  }

  /**
   * One streaming fetch through {@code path}. The warm-up's ({@code counted} false) gives the rows
   * and bytes of the path (its rows must be the floor's, which goes first); a counted one gives a
   * time, and its rows, when counted, must be the same.
   */
  void stream(String path, double seconds, SqlPath.Fetched fetched, boolean counted) {
    Stream s = streams.computeIfAbsent(path, p -> new Stream());
    if (!counted) {
      s.rows = fetched.rows();
      s.bytes = fetched.bytes();
      Stream floor = streams.get(paths.get(0));
      if (floor != null && s.rows != floor.rows) {
        errors.add(
            String.format(
                Locale.ROOT,
                "%s streamed %,d rows, %s %,d",
                path,
                s.rows,
                paths.get(0),
                floor.rows));
      }
      return;
    }
    if (fetched.rows() >= 0 && fetched.rows() != s.rows) {
      errors.add(
          String.format(
              Locale.ROOT,
              "%s streamed %,d rows, in its warm-up %,d",
              path,
              fetched.rows(),
              s.rows));
    }
    s.seconds.add(seconds);
  }

  /** The CPU a part of the benchmark took, this JVM's and the machine's. */
  void phase(String name, Meter.Phase p) {
    phases.put(name, p);
  }

  List<String> errors() {
    return errors;
  }

  String markdown(Machine machine) {
    StringBuilder out = new StringBuilder();
    out.append("## ampd query benchmark\n\n").append(machine.markdown()).append("\n\n");
    setup(out);
    latencyTable(out);
    targets(out);
    streaming(out);
    cpu(out);
    out.append("The queries, as the server got them (first counted round; the floor runs the")
        .append(" same text with each table as `read_parquet([...]) AS <table>`):\n\n");
    int n = 1;
    for (Map.Entry<String, String> e : sql.entrySet()) {
      out.append(n++)
          .append(". ")
          .append(e.getKey())
          .append(": `")
          .append(e.getValue())
          .append("`\n");
    }
    out.append("\n");
    out.append(
        "A result's rows are checked against the floor's: through JSON Lines in the warm-up,"
            + " through Flight in every round.\n\n");
    for (String error : errors) {
      out.append("ERROR: ").append(error).append("\n");
    }
    return out.toString();
  }

  private void setup(StringBuilder out) {
    long totalRows = 0;
    StringBuilder tables = new StringBuilder();
    for (Map.Entry<String, List<RecordedFile>> e : files.entrySet()) {
      long r = 0;
      long bytes = 0;
      for (RecordedFile f : e.getValue()) {
        r += f.rows();
        bytes += f.bytes();
      }
      totalRows += r;
      tables.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %,d | %.1f MiB |%n",
              e.getKey(),
              e.getValue().size(),
              r,
              bytes / 1048576.0));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "- dataset `%s`: the synthetic chain of %,d blocks (%,d rows in all), extracted in %.0f"
                + " s by the worker's job runner into files of %,d blocks, recorded in a metadata"
                + " database on ampd's own PostgreSQL%n- the query server runs in this JVM on free"
                + " ports, with ampd's default `[server]` settings (threads %s, max_mem_mb %s,"
                + " query_timeout %d s, max_concurrent_queries %d)%n- this JVM runs with the"
                + " launcher's JVM flags and Arrow's: %s%n- floor: the same SQL, each table as"
                + " `read_parquet([...])` of every file the metadata database records for its"
                + " active revision, run by a plain DuckDB JDBC connection in this JVM (in-memory;"
                + " DuckDB's defaults but for the server engine's `jdbc_stream_results=true` and"
                + " `parquet_metadata_cache=true`), every row fetched through DuckDB's Arrow export"
                + " (`arrowExportStream`, %,d-row batches)%n- JSON Lines: the JDK HttpClient"
                + " (HTTP/1.1, one kept-alive connection), `POST /`, the whole body read (its lines"
                + " counted in the warm-up only: a pass over every byte that the Arrow paths do not"
                + " pay); Flight SQL: Arrow's FlightSqlClient, `execute` then `getStream` of each"
                + " endpoint, every batch read (one gRPC channel)%n- each path ran every query %d"
                + " times to warm up (not counted), then %d rounds; lookup values come from the"
                + " middle file of the table and change every round; in each round the paths take"
                + " turns at going first%n%n| table | files | rows | size"
                + " |%n|---|--:|--:|--:|%n%s%n",
            QueryBench.DATASET,
            settings.blocks(),
            totalRows,
            extractSeconds,
            settings.segment(),
            server.threads() == 0 ? "0 (one per processor)" : Integer.toString(server.threads()),
            server.maxMemMb() == 0
                ? "0 (a quarter of memory)"
                : Integer.toString(server.maxMemMb()),
            server.queryTimeout().toSeconds(),
            server.maxConcurrentQueries(),
            String.join(" ", settings.flags()),
            DuckDbFloor.BATCH_ROWS,
            settings.warmup(),
            settings.rounds(),
            tables));
  }

  private void latencyTable(StringBuilder out) {
    out.append("Latency, ms: median / min / max over the rounds\n\n| query | rows (median) |");
    for (String p : paths) {
      out.append(" ").append(p).append(" |");
    }
    out.append("\n|---|--:|").append("--:|".repeat(paths.size())).append("\n");
    for (Map.Entry<String, Map<String, Stats>> e : latency.entrySet()) {
      Stats r = rows.get(e.getKey());
      out.append("| ")
          .append(e.getKey())
          .append(" | ")
          .append(r == null ? "—" : String.format(Locale.ROOT, "%,.0f", r.median()))
          .append(" |");
      for (String p : paths) {
        Stats s = e.getValue().get(p);
        out.append(" ")
            .append(
                s == null
                    ? "—"
                    : String.format(
                        Locale.ROOT, "%.1f / %.1f / %.1f", s.median(), s.min(), s.max()))
            .append(" |");
      }
      out.append("\n");
    }
    out.append("\n");
  }

  private void targets(StringBuilder out) {
    out.append(
        String.format(
            Locale.ROOT,
            "| target: median ≤ %.1f × floor median + %.0f ms | endpoint | limit | measured | met"
                + " |%n|---|---|--:|--:|:-:|%n",
            QueryBench.FLOOR_FACTOR,
            QueryBench.FLOOR_SLACK_MS));
    for (Map.Entry<String, Map<String, Stats>> e : latency.entrySet()) {
      Stats floor = e.getValue().get(paths.get(0));
      for (String p : paths.subList(1, paths.size())) {
        Stats s = e.getValue().get(p);
        if (floor == null || s == null) {
          out.append("| ").append(e.getKey()).append(" | ").append(p);
          out.append(" | — | — | not measured |\n");
          continue;
        }
        double limit = QueryBench.FLOOR_FACTOR * floor.median() + QueryBench.FLOOR_SLACK_MS;
        boolean met = s.median() <= limit;
        out.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.1f ms | %.1f ms | %s |%n",
                e.getKey(),
                p,
                limit,
                s.median(),
                met
                    ? "yes"
                    : String.format(
                        Locale.ROOT,
                        "**NO** (+%.1f ms, ×%.2f)",
                        s.median() - limit,
                        s.median() / limit)));
      }
    }
    out.append("\n");
  }

  private void cpu(StringBuilder out) {
    out.append(
        "CPU: this JVM holds the server, the floor and the clients; the machine's busy time counts"
            + " everything else too (PostgreSQL, other users), so a busy neighbour shows.\n\n"
            + "| part | time | CPU this JVM | of it GC | machine busy | load after |\n"
            + "|---|--:|--:|--:|--:|---|\n");
    phases.forEach(
        (name, p) ->
            out.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %.1f s | %.1f s | %.2f s | %.2f cores | %s |%n",
                    name,
                    p.seconds(),
                    p.jvmCpu(),
                    p.jvmGc(),
                    p.machineBusyCores(),
                    p.loadAverage())));
    out.append("\n");
  }

  private void streaming(StringBuilder out) {
    out.append(
        String.format(
            Locale.ROOT,
            "Streaming: `SELECT * FROM transactions` (every row), %d rounds after a warm-up;"
                + " rates from the median time. MB: 10^6 bytes, as received: the Arrow buffers"
                + " of the batches for DuckDB and Flight, the body for JSON Lines.%n%n"
                + "| path | rows | time (median / min / max) | rows/s | MB | MB/s |%n"
                + "|---|--:|--:|--:|--:|--:|%n",
            settings.streamRounds()));
    for (String p : paths) {
      Stream s = streams.get(p);
      if (s == null) {
        out.append("| ").append(p).append(" | not measured | | | | |\n");
        continue;
      }
      double t = s.seconds.median();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.2f / %.2f / %.2f s | %,.0f | %.1f | %.1f |%n",
              p,
              s.rows,
              t,
              s.seconds.min(),
              s.seconds.max(),
              s.rows / t,
              s.bytes / 1e6,
              s.bytes / 1e6 / t));
    }
    Stream floor = streams.get(paths.get(0));
    Stream flight = streams.get(paths.get(paths.size() - 1));
    if (floor != null && flight != null) {
      double ratio =
          (flight.rows / flight.seconds.median()) / (floor.rows / floor.seconds.median());
      out.append(
          String.format(
              Locale.ROOT,
              "%n%s rows/s / %s rows/s: %.0f%% (target ≥ %.0f%%): %s%n%n",
              paths.get(paths.size() - 1),
              paths.get(0),
              ratio * 100,
              QueryBench.STREAM_TARGET * 100,
              ratio >= QueryBench.STREAM_TARGET ? "met" : "**NOT met**"));
    }
  }
}
