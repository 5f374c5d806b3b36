package io.ampd.bench;

import io.ampd.config.AmpConfig;
import io.ampd.config.ConfigLoader;
import io.ampd.config.HostPort;
import io.ampd.config.PgUrl;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.registry.DatasetRef;
import io.ampd.server.QueryServer;
import io.ampd.testing.TestPostgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The query benchmark: {@code mvn -B -Pbench package} runs it after the extraction benchmark; the
 * report also goes to {@code target/query-bench.md}. Not a test: it measures and prints.
 *
 * <p>Setup: the synthetic chain of {@code bench.blocks} blocks (default 100,000), served by {@link
 * EvmNodeMain} in a JVM of its own, is extracted as the extraction benchmark extracts it ({@link
 * ChainSetup}: the worker's own job runner, files of {@code bench.segmentBlocks} blocks, files and
 * progress in a metadata database on ampd's own PostgreSQL) into the dataset {@code
 * example/mainnet@1.0.0}, registered as ampd registers one; the node is then stopped. A {@link
 * QueryServer} starts in this JVM on free ports, with ampd's default {@code [server]} settings.
 *
 * <p>Latency: five queries ({@link #queries}), each through JSON Lines ({@link JsonLinesPath}) and
 * through Flight ({@link FlightPath}), beside its floor ({@link DuckDbFloor}: the same SQL run by a
 * plain DuckDB connection in this JVM over the files the metadata database records). The lookup
 * values come from the data, from the middle file of the table, and change every iteration. Each
 * path runs every query {@code bench.queryWarmup} times first (default 5, not counted), then {@code
 * bench.queryRounds} times (default 30); in each iteration the paths take turns at going first.
 * Target: each query's median through each endpoint at most 1.3 × its floor's median + 5 ms.
 *
 * <p>Streaming: {@code SELECT *} of the whole transactions table through each path, once to warm up
 * and then {@code bench.streamRounds} times (default 3). Target: Flight's rows/s at least 80% of
 * DuckDB's own Arrow export of the same query.
 *
 * <p>This JVM (the server, the floor and the clients) must run with the JVM flags of the {@code
 * packaging/ampd} launcher ({@code -Dampd.launcher}) and Arrow's {@value #ADD_OPENS}, so the server
 * runs as users run it; it checks that it does. Composition root of the benchmark: the only place
 * reading properties. The node is stopped by pid as soon as the data is extracted, and by a
 * shutdown hook if the benchmark is interrupted ({@link Child#closeAll()}).
 */
public final class QueryBench {
  static final DatasetRef DATASET = new DatasetRef("example", "mainnet", "1.0.0");

  /** How the benchmark's SQL names the dataset. */
  static final String DATASET_SQL = "\"example/mainnet\"";

  static final String ADD_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";
  static final double FLOOR_FACTOR = 1.3;
  static final double FLOOR_SLACK_MS = 5;
  static final double STREAM_TARGET = 0.80;

  /** Blocks of the range scan, and of the join. */
  static final int RANGE_BLOCKS = 10_000;

  static final int JOIN_BLOCKS = 1_000;

  /** Stack of the benchmark's thread: DuckDB's parser and planner recurse, as in the server. */
  private static final long STACK_BYTES = 16L * 1024 * 1024;

  private QueryBench() {}

  /** The benchmark's settings, read from properties by {@link #main}. */
  record Settings(
      long blocks,
      int segment,
      int batch,
      int concurrency,
      int warmup,
      int rounds,
      int streamRounds,
      Path launcher,
      List<String> flags) {}

  public static void main(String[] args) throws Exception {
    Path launcher = BenchProperties.existing("ampd.launcher");
    List<String> flags = new ArrayList<>(LauncherFlags.read(launcher));
    flags.add(ADD_OPENS);
    Settings settings =
        new Settings(
            Long.getLong("bench.blocks", 100_000),
            BenchProperties.intProperty("bench.segmentBlocks", 10_000, 1),
            BenchProperties.intProperty("bench.batchSize", 50, 1),
            BenchProperties.intProperty("bench.concurrency", 4, 1),
            BenchProperties.intProperty("bench.queryWarmup", 5, 1),
            BenchProperties.intProperty("bench.queryRounds", 30, 1),
            BenchProperties.intProperty("bench.streamRounds", 3, 1),
            launcher,
            List.copyOf(flags));
    String out = System.getProperty("bench.out", "");
    List<String> missing =
        ExtractBench.missingFlags(flags, ManagementFactory.getRuntimeMXBean().getInputArguments());
    if (!missing.isEmpty()) {
      System.err.println(
          "bench: this JVM lacks the JVM flags "
              + missing
              + " of the launcher "
              + launcher
              + " and Arrow; the server must run as users run it: start QueryBench with "
              + String.join(" ", flags)
              + " (the bench profile's query-bench execution does)");
      System.exit(1);
    }
    if (settings.blocks() < 2L * RANGE_BLOCKS) {
      throw new IllegalArgumentException(
          "bench.blocks must be at least " + 2 * RANGE_BLOCKS + ", got " + settings.blocks());
    }

    AtomicReference<TempDir> work = new AtomicReference<>();
    Thread hook = BenchProperties.cleanupOnInterrupt(work);
    AtomicReference<Object> result = new AtomicReference<>();
    Thread main =
        new Thread(
            null,
            () -> {
              try {
                result.set(run(settings, work));
              } catch (Throwable e) {
                result.set(e);
              }
            },
            "query-bench",
            STACK_BYTES);
    main.start();
    main.join();
    if (result.get() instanceof Throwable e) {
      if (e instanceof BenchException b && !b.detail().isEmpty()) {
        System.err.println("bench: " + b.getMessage() + "\n" + b.detail().indent(2));
      }
      throw e instanceof Exception ex ? ex : new RuntimeException(e);
    }
    QueryReport report = (QueryReport) result.get();
    PgTools pg =
        PgTools.fromPath(System.getenv().getOrDefault("PATH", ""), ProcFs.isRoot(), "postgres");
    BenchProperties.publish(report.markdown(Machine.describe(pg.postgres())), out);
    BenchProperties.exit(hook, report.errors().isEmpty());
  }

  private static QueryReport run(Settings settings, AtomicReference<TempDir> work)
      throws Exception {
    try (TempDir dir = TempDir.create(Path.of(System.getProperty("java.io.tmpdir")), "query-")) {
      work.set(dir);
      Path dataDir = dir.mkdir("data");
      // ampd's own defaults for an amp dir here, as `ampd solo` reads them with no config file
      AmpConfig config = ConfigLoader.load(Optional.empty(), dir.path(), Map.of(), true);
      PgUrl pg = TestPostgres.shared().createDatabase("query_bench");
      Migrations.migrate(pg, line -> {});
      try (MetadataDb db = MetadataDb.open(pg, config.metadataDb().poolSize(), "query-bench")) {
        double extractSeconds = extract(settings, dir, db, dataDir);
        Map<String, List<RecordedFile>> files = RecordedFile.active(db, DATASET, dataDir);
        System.err.println("bench: extracted in " + Math.round(extractSeconds) + " s; serving");
        try (BufferAllocator allocator = new RootAllocator();
            QueryServer server =
                QueryServer.start(
                    config.server(),
                    dataDir,
                    db.dataSource(),
                    new HostPort("127.0.0.1", 0),
                    new HostPort("127.0.0.1", 0),
                    "bench");
            DuckDbFloor floor = new DuckDbFloor(allocator, RecordedFile.paths(files));
            JsonLinesPath jsonl = new JsonLinesPath(server.jsonlPort(), DATASET_SQL);
            FlightPath flight = new FlightPath(allocator, server.flightPort(), DATASET_SQL)) {
          // the floor first (the report's reference), Flight last (its streaming target)
          List<SqlPath> paths = List.of(floor, jsonl, flight);
          List<Query> queries = queries(settings.blocks(), files, floor);
          QueryReport report =
              new QueryReport(settings, config.server(), files, extractSeconds, paths);
          Meter meter = new Meter(ProcessHandle.current().pid());
          Meter.Reading m0 = meter.read();
          latency(settings, queries, paths, jsonl, report);
          report.phase("latency (warm-up and rounds)", meter.since(m0));
          Meter.Reading m1 = meter.read();
          streaming(settings, paths, jsonl, report);
          report.phase("streaming (warm-up and rounds)", meter.since(m1));
          return report;
        }
      }
    } finally {
      work.set(null);
    }
  }

  /** Extracts blocks {@code 0..blocks-1} into {@link #DATASET}; returns the seconds it took. */
  private static double extract(Settings s, TempDir dir, MetadataDb db, Path dataDir)
      throws Exception {
    try (Child node =
        ChainSetup.startNode(dir.path().resolve("node.log"), s.blocks() - 1, s.concurrency())) {
      String url = ChainSetup.nodeUrl(node);
      ChainSetup.register(db, DATASET, 0, s.blocks() - 1);
      long start = System.nanoTime();
      ChainSetup.extract(
          db,
          dataDir,
          ChainSetup.provider(url, s.batch(), s.concurrency()),
          DATASET,
          "query-bench",
          0,
          s.blocks() - 1,
          s.segment());
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /**
   * A query of the latency table: its SQL for iteration {@code i}, with the dataset tables written
   * {@code {blocks}}, {@code {transactions}} and {@code {logs}}.
   */
  record Query(String label, IntFunction<String> template) {
    String sql(int i, SqlPath path) {
      return template
          .apply(i)
          .replace("{blocks}", path.table("blocks"))
          .replace("{transactions}", path.table("transactions"))
          .replace("{logs}", path.table("logs"));
    }
  }

  /**
   * The five queries. Lookup values are taken from the middle file of their table (its middle
   * segment of blocks) and move every iteration; the range scan is centred on that segment.
   */
  static List<Query> queries(long blocks, Map<String, List<RecordedFile>> files, DuckDbFloor floor)
      throws SQLException {
    RecordedFile midBlocks = middle(files, "blocks");
    RecordedFile midTxs = middle(files, "transactions");
    RecordedFile midLogs = middle(files, "logs");
    List<String> hashes =
        floor.column(
            "SELECT lower(hex(tx_hash)) FROM read_parquet('"
                + midTxs.path()
                + "') ORDER BY block_num, tx_index");
    if (hashes.isEmpty()) {
      throw new BenchException("no transaction in " + midTxs.path(), "");
    }
    long rangeBase = (midBlocks.blockStart() + midBlocks.blockEnd()) / 2 - RANGE_BLOCKS / 2;
    long joinSpan = Math.max(1, midLogs.blockEnd() - midLogs.blockStart() + 2 - JOIN_BLOCKS);
    return List.of(
        new Query(
            "point lookup by block number",
            i ->
                "SELECT * FROM {blocks} WHERE block_num = "
                    + (midBlocks.blockStart() + spread(i, midBlocks.blocks()))),
        new Query(
            "lookup by transaction hash",
            i ->
                "SELECT * FROM {transactions} WHERE tx_hash = from_hex('"
                    + hashes.get((int) spread(i, hashes.size()))
                    + "')"),
        new Query(
            "range scan of " + String.format("%,d", RANGE_BLOCKS) + " blocks",
            i -> {
              long a =
                  Math.max(0, Math.min(blocks - RANGE_BLOCKS, rangeBase + spread(i, 2001) - 1000));
              return "SELECT * FROM {blocks} WHERE block_num BETWEEN "
                  + a
                  + " AND "
                  + (a + RANGE_BLOCKS - 1);
            }),
        new Query(
            "top senders (aggregate over all transactions)",
            i ->
                "SELECT \"from\" AS sender, count(*) AS txs FROM {transactions}"
                    + " GROUP BY 1 ORDER BY txs DESC, sender LIMIT 10"),
        new Query(
            "logs ⋈ transactions over " + String.format("%,d", JOIN_BLOCKS) + " blocks",
            i -> {
              long a = midLogs.blockStart() + spread(i, joinSpan);
              return "SELECT logs.block_num, logs.log_index, transactions.\"from\","
                  + " transactions.value, logs.address, logs.topic0"
                  + " FROM {logs} JOIN {transactions}"
                  + " ON transactions.block_num = logs.block_num"
                  + " AND transactions.tx_hash = logs.tx_hash"
                  + " WHERE logs.block_num BETWEEN "
                  + a
                  + " AND "
                  + (a + JOIN_BLOCKS - 1)
                  + " ORDER BY 1, 2";
            }));
  }

  /** Iteration {@code i}'s offset in {@code 0..n-1}: far apart from one iteration to the next. */
  static long spread(int i, long n) {
    return Math.floorMod(1_234L + 7_919L * i, n);
  }

  private static RecordedFile middle(Map<String, List<RecordedFile>> files, String table) {
    List<RecordedFile> list = files.getOrDefault(table, List.of());
    if (list.isEmpty()) {
      throw new BenchException("the metadata database records no file of " + table, "");
    }
    return list.get(list.size() / 2);
  }

  /** Warm-up, then the counted rounds; the paths take turns at going first. */
  private static void latency(
      Settings settings,
      List<Query> queries,
      List<SqlPath> paths,
      JsonLinesPath jsonl,
      QueryReport report)
      throws Exception {
    int iterations = settings.warmup() + settings.rounds();
    for (int i = 0; i < iterations; i++) {
      boolean counted = i >= settings.warmup();
      jsonl.countLines(!counted);
      if (i == 0 || i == settings.warmup()) {
        System.err.printf(
            "bench: %s%n",
            counted
                ? settings.rounds() + " counted rounds"
                : settings.warmup() + " warm-up rounds, not counted");
      }
      for (Query q : queries) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (SqlPath p : rotated(paths, i)) {
          String sql = q.sql(i, p);
          long start = System.nanoTime();
          SqlPath.Fetched f = p.fetch(sql);
          double ms = (System.nanoTime() - start) / 1e6;
          rows.put(p.label(), f.rows());
          if (counted) {
            report.latency(q.label(), p.label(), ms);
          }
        }
        report.rows(q.label(), i, rows, counted);
        if (i == settings.warmup()) {
          report.sql(q.label(), q.sql(i, paths.get(1)));
        }
      }
    }
  }

  /** {@code SELECT *} of transactions through each path: once to warm up, then counted. */
  private static void streaming(
      Settings settings, List<SqlPath> paths, JsonLinesPath jsonl, QueryReport report)
      throws Exception {
    Query all = new Query("SELECT * FROM transactions", i -> "SELECT * FROM {transactions}");
    System.err.printf("bench: streaming, %d rounds after a warm-up%n", settings.streamRounds());
    for (int i = -1; i < settings.streamRounds(); i++) {
      jsonl.countLines(i < 0);
      for (SqlPath p : rotated(paths, Math.max(0, i))) {
        long start = System.nanoTime();
        SqlPath.Fetched f = p.fetch(all.sql(i, p));
        double seconds = (System.nanoTime() - start) / 1e9;
        report.stream(p.label(), seconds, f, i >= 0);
      }
    }
  }

  /** {@code paths} starting at the {@code i}-th (mod size), in order. */
  static <T> List<T> rotated(List<T> paths, int i) {
    List<T> out = new ArrayList<>(paths.size());
    for (int k = 0; k < paths.size(); k++) {
      out.add(paths.get((i + k) % paths.size()));
    }
    return out;
  }

  /**
   * A Parquet file the metadata database records for an active table revision of a dataset.
   *
   * @param path where it is: data dir / revision path / file name
   */
  record RecordedFile(Path path, long blockStart, long blockEnd, long rows, long bytes) {
    long blocks() {
      return blockEnd - blockStart + 1;
    }

    /** The files of {@code ref}'s active table revisions, by table, in block order. */
    static Map<String, List<RecordedFile>> active(MetadataDb db, DatasetRef ref, Path dataDir)
        throws SQLException {
      Map<String, List<RecordedFile>> out = new LinkedHashMap<>();
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT r.table_name, r.path, f.file_name, f.block_start, f.block_end,"
                      + " f.row_count, f.size_bytes"
                      + " FROM table_revisions r JOIN files f ON f.revision_id = r.id"
                      + " WHERE r.active AND r.dataset_namespace = ? AND r.dataset_name = ?"
                      + " AND r.dataset_version = ?"
                      + " ORDER BY r.table_name, f.block_start, f.file_name")) {
        s.setString(1, ref.namespace());
        s.setString(2, ref.name());
        s.setString(3, ref.version());
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.computeIfAbsent(r.getString(1), t -> new ArrayList<>())
                .add(
                    new RecordedFile(
                        dataDir.resolve(r.getString(2)).resolve(r.getString(3)),
                        r.getLong(4),
                        r.getLong(5),
                        r.getLong(6),
                        r.getLong(7)));
          }
        }
      }
      return out;
    }

    static Map<String, List<Path>> paths(Map<String, List<RecordedFile>> files) {
      Map<String, List<Path>> out = new LinkedHashMap<>();
      files.forEach((t, list) -> out.put(t, list.stream().map(RecordedFile::path).toList()));
      return out;
    }
  }
}
