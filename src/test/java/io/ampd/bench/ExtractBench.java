package io.ampd.bench;

import io.ampd.config.PgUrl;
import io.ampd.metadb.FileRepository;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.metadb.TableProgress;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.ProviderConfig;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The extraction benchmark: {@code mvn -B -Pbench package} runs it after the startup benchmark
 * ({@code -Dbench.runs=1} keeps that one short; {@code -Dbench.blocks=N}, default 100,000); the
 * report also goes to {@code target/extract-bench.md}. Not a test: it measures and prints.
 *
 * <p>One local {@link FakeEvmNode} serves a synthetic chain of {@code bench.blocks} blocks (default
 * 100,000) with transactions and logs, in a JVM of its own ({@link EvmNodeMain}, default JVM
 * flags), as a real node is another process. In the same run, on the same machine:
 *
 * <ol>
 *   <li><b>node ceiling</b>: a client that only fetches every block (with transactions) and its
 *       logs, with the extractor's batch size and concurrency, reading each response body in full
 *       and discarding it: the most any extractor could get from this node here;
 *   <li><b>extraction</b>: the real {@link EvmRpcJobRunner} over the same blocks into Parquet,
 *       recording files and progress in a metadata database on the project's own PostgreSQL.
 * </ol>
 *
 * Both run once over a warm-up range first (JIT, heap), not counted; the ceiling client also
 * fetches the whole chain once first, so that the node's JIT has settled. Then they alternate:
 * ceiling, extraction, ceiling, ... for {@code bench.extractRounds} extractions (default 3). Each
 * round's ratio takes the faster of the ceilings just before and just after its extraction (the
 * node's JVM may still be warming up in the first, or the machine busier in one); the target is
 * judged on the median of the rounds' ratios, as one run on a shared machine varies by several
 * points. This JVM (the ceiling client and the extractor) must run with the JVM flags of the {@code
 * packaging/ampd} launcher ({@code -Dampd.launcher}), so the extraction is measured as users run
 * it; it checks that it does. Target: extraction at least 70% of the ceiling. Composition root of
 * the benchmark: the only place reading properties.
 *
 * <p>The node is stopped by pid in a finally block and, if the benchmark is interrupted, by a
 * shutdown hook ({@link Child#closeAll()}).
 */
public final class ExtractBench {
  static final double TARGET = 0.70;
  private static final DatasetRef DATASET = new DatasetRef("bench", "chain", "1.0.0");

  private ExtractBench() {}

  public static void main(String[] args) throws Exception {
    long blocks = Long.getLong("bench.blocks", 100_000);
    int batch = Integer.getInteger("bench.batchSize", 50);
    int concurrency = Integer.getInteger("bench.concurrency", 4);
    int segment = Integer.getInteger("bench.segmentBlocks", 10_000);
    long warmup = Math.min(blocks, 10_000);
    int rounds = BenchProperties.intProperty("bench.extractRounds", 3, 1);
    String out = System.getProperty("bench.out", "");
    Path launcher = BenchProperties.existing("ampd.launcher");
    List<String> flags = LauncherFlags.read(launcher);
    List<String> missing =
        missingFlags(flags, ManagementFactory.getRuntimeMXBean().getInputArguments());
    if (!missing.isEmpty()) {
      System.err.println(
          "bench: this JVM lacks the JVM flags "
              + missing
              + " of the launcher "
              + launcher
              + "; the extraction must run as users run it: start ExtractBench with "
              + String.join(" ", flags)
              + " (the bench profile's extract-bench execution does)");
      System.exit(1);
    }

    AtomicReference<TempDir> work = new AtomicReference<>();
    Thread hook = BenchProperties.cleanupOnInterrupt(work);
    String report;
    try (TempDir dir = TempDir.create(Path.of(System.getProperty("java.io.tmpdir")), "extract-")) {
      work.set(dir);
      Path dataDir = dir.mkdir("data");
      try (Child node =
          ChainSetup.startNode(dir.path().resolve("node.log"), blocks + warmup, concurrency)) {
        String url = ChainSetup.nodeUrl(node);
        Meter meter = new Meter(node.pid());
        // The node's JIT takes a full pass or two to settle: warm it over the whole range.
        ceiling(url, 0, blocks - 1, batch, concurrency);
        ceiling(url, blocks, blocks + warmup - 1, batch, concurrency);
        PgUrl pg = TestPostgres.shared().createDatabase("extract_bench");
        Migrations.migrate(pg, line -> {});
        try (MetadataDb db = MetadataDb.open(pg, 4, "extract-bench")) {
          ProviderConfig provider = ChainSetup.provider(url, batch, concurrency);
          ChainSetup.register(db, DATASET, 0, blocks + warmup - 1);
          ChainSetup.extract(
              db, dataDir, provider, DATASET, "warmup", blocks, blocks + warmup - 1, segment);
          List<Meter.Phase> ceilings = new ArrayList<>();
          List<Meter.Phase> extractions = new ArrayList<>();
          ceilings.add(measureCeiling(meter, url, blocks, batch, concurrency));
          List<TableProgress> progress = List.of();
          for (int round = 1; round <= rounds; round++) {
            Meter.Reading e0 = meter.read();
            long jobId =
                ChainSetup.extract(
                    db, dataDir, provider, DATASET, "round" + round, 0, blocks - 1, segment, true);
            extractions.add(meter.since(e0));
            progress = new FileRepository(db.dataSource()).progressOfJob(jobId);
            ceilings.add(measureCeiling(meter, url, blocks, batch, concurrency));
          }
          report =
              report(
                  new Setup(blocks, batch, concurrency, segment, launcher, flags, node.pid()),
                  ceilings,
                  extractions,
                  progress);
        }
      }
    } finally {
      work.set(null);
    }
    BenchProperties.publish(report, out);
    BenchProperties.exit(hook, true);
  }

  /** The flags of {@code required} that {@code actual} (this JVM's input arguments) lacks. */
  static List<String> missingFlags(List<String> required, List<String> actual) {
    List<String> missing = new ArrayList<>();
    for (String flag : required) {
      if (!actual.contains(flag)) {
        missing.add(flag);
      }
    }
    return missing;
  }

  /** One ceiling measurement over blocks {@code 0..blocks-1}. */
  private static Meter.Phase measureCeiling(
      Meter meter, String url, long blocks, int batch, int concurrency) throws Exception {
    Meter.Reading c0 = meter.read();
    ceiling(url, 0, blocks - 1, batch, concurrency);
    return meter.since(c0);
  }

  /** Fetches blocks {@code first..last} as the extractor asks for them, discarding the bytes. */
  static void ceiling(String url, long first, long last, int batch, int concurrency)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicLong next = new AtomicLong(first);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        workers.add(
            pool.submit(
                () -> {
                  byte[] sink = new byte[64 * 1024];
                  while (true) {
                    long a = next.getAndAdd(batch);
                    if (a > last) {
                      return null;
                    }
                    long b = Math.min(last, a + batch - 1);
                    HttpRequest request =
                        HttpRequest.newBuilder(URI.create(url))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body(a, b)))
                            .build();
                    HttpResponse<InputStream> response =
                        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() != 200) {
                      throw new IOException("HTTP " + response.statusCode());
                    }
                    try (InputStream in = response.body()) {
                      while (in.read(sink) >= 0) {
                        // discard
                      }
                    }
                  }
                }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String body(long a, long b) {
    StringBuilder s = new StringBuilder("[");
    int id = 0;
    for (long n = a; n <= b; n++) {
      s.append("{\"jsonrpc\":\"2.0\",\"id\":")
          .append(id++)
          .append(",\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x")
          .append(Long.toHexString(n))
          .append("\",true]},");
    }
    s.append("{\"jsonrpc\":\"2.0\",\"id\":")
        .append(id)
        .append(",\"method\":\"eth_getLogs\",\"params\":[{\"fromBlock\":\"0x")
        .append(Long.toHexString(a))
        .append("\",\"toBlock\":\"0x")
        .append(Long.toHexString(b))
        .append("\"}]}]");
    return s.toString();
  }

  /** How the run was set up, for the report's header. */
  record Setup(
      long blocks,
      int batch,
      int concurrency,
      int segment,
      Path launcher,
      List<String> flags,
      long nodePid) {}

  /**
   * Round {@code r}'s ratio: the faster of the ceilings measured just before and just after its
   * extraction, over the extraction's time.
   */
  static double ratio(List<Meter.Phase> ceilings, List<Meter.Phase> extractions, int r) {
    double ceiling = Math.min(ceilings.get(r).seconds(), ceilings.get(r + 1).seconds());
    return ceiling / extractions.get(r).seconds();
  }

  static String report(
      Setup setup,
      List<Meter.Phase> ceilings,
      List<Meter.Phase> extractions,
      List<TableProgress> progress) {
    long rows = 0;
    StringBuilder tables = new StringBuilder();
    for (TableProgress p : progress) {
      rows += p.rows();
      tables.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %.1f MiB |%n",
              p.table(),
              p.files(),
              p.rows(),
              p.bytes() / 1048576.0));
    }
    StringBuilder phases = new StringBuilder();
    Stats ratios = new Stats();
    StringBuilder perRound = new StringBuilder();
    phases.append(row("node ceiling (fetch and discard)", ceilings.get(0), setup.blocks(), rows));
    for (int r = 0; r < extractions.size(); r++) {
      phases
          .append(
              row(
                  "round " + (r + 1) + ": extraction into Parquet + metadata DB",
                  extractions.get(r),
                  setup.blocks(),
                  rows))
          .append(
              row("node ceiling (fetch and discard)", ceilings.get(r + 1), setup.blocks(), rows));
      double ratio = ratio(ceilings, extractions, r);
      ratios.add(ratio);
      perRound
          .append(perRound.length() == 0 ? "" : ", ")
          .append(Math.round(ratio * 100))
          .append('%');
    }
    double median = ratios.median();
    return String.format(
        Locale.ROOT,
        "## ampd extraction benchmark%n%n"
            + "%d cores, Java %s; synthetic chain of %,d blocks (%,d rows in all),"
            + " batch size %d, concurrency %d, segments of %,d blocks; %d rounds%n%n"
            + "- the node (FakeEvmNode) runs in a JVM of its own (pid %d), default JVM flags%n"
            + "- the ceiling client and the extraction run in this JVM, with the JVM flags of"
            + " the launcher %s: %s%n"
            + "- PostgreSQL (metadata database) is a third process, not in the CPU columns%n"
            + "- after a warm-up (one segment of each), the ceiling and the extraction alternate;"
            + " each round's ratio takes the faster of the ceilings just before and after it%n%n"
            + "| measurement | time | CPU this JVM | of it GC | CPU node JVM | machine busy"
            + " | load after | blocks/s | rows/s |%n"
            + "|---|---|---|---|---|---|---|---|---|%n"
            + "%s%n"
            + "| table (last round) | files | rows | size |%n|---|---|---|---|%n%s%n"
            + "extraction / ceiling by round: %s; median %.0f%% (target >= %.0f%%): %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        setup.blocks(),
        rows,
        setup.batch(),
        setup.concurrency(),
        setup.segment(),
        extractions.size(),
        setup.nodePid(),
        setup.launcher().getFileName(),
        String.join(" ", setup.flags()),
        phases,
        tables,
        perRound,
        median * 100,
        TARGET * 100,
        median >= TARGET ? "met" : "NOT met");
  }

  private static String row(String name, Meter.Phase p, long blocks, long rows) {
    return String.format(
        Locale.ROOT,
        "| %s | %.1f s | %.1f s | %.2f s | %.1f s | %.2f cores | %s | %,.0f | %,.0f |%n",
        name,
        p.seconds(),
        p.jvmCpu(),
        p.jvmGc(),
        p.nodeCpu(),
        p.machineBusyCores(),
        p.loadAverage(),
        blocks / p.seconds(),
        rows / p.seconds());
  }
}
