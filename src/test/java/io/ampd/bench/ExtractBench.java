package io.ampd.bench;

import io.ampd.config.PgUrl;
import io.ampd.metadb.FileRepository;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.metadb.TableProgress;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.ProviderParser;
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
 * The extraction benchmark: {@code mvn -B -Pbench package} runs it after the startup benchmark; the
 * report also goes to {@code target/extract-bench.md}. Not a test: it measures and prints.
 *
 * <p>Two setups, each in the same run as its ceiling, on the same machine:
 *
 * <ol>
 *   <li><b>remote-like node</b> (the target): a {@link RemoteEvmNode} in a JVM of its own serves a
 *       synthetic chain of {@code bench.remoteBlocks} blocks (default 50,000) from answers rendered
 *       in memory before the run, each answer leaving {@code bench.latencyMs} (default 50) after
 *       its request arrived, as a hosted provider across the internet. The extractor runs with the
 *       provider's defaults (batch size, concurrency), receipts included. The node's own CPU per
 *       request is measured and shown: it should be small, as a provider's CPU is not ours.
 *   <li><b>local node</b> (for continuity, no target): a {@link FakeEvmNode} ({@link EvmNodeMain})
 *       rendering every answer on the fly, no added latency, {@code bench.blocks} blocks (default
 *       100,000), batch size 50 and concurrency 4. On two shared cores the node, the client and the
 *       extractor compete for CPU, so this ratio measures CPU more than the pipeline.
 * </ol>
 *
 * In each: the <b>ceiling</b> is a client that only fetches every block with its receipts, with the
 * extractor's calls, batch size and concurrency, reading each answer in full and discarding it; the
 * <b>extraction</b> is the real {@link EvmRpcJobRunner} over the same blocks into Parquet,
 * recording files and progress in a metadata database on the project's own PostgreSQL. Both run
 * once over a warm-up range first (JIT, heap), not counted. Then they alternate: ceiling,
 * extraction, ceiling, ... for {@code bench.extractRounds} extractions (default 3), each a redump.
 * Each round's ratio takes the faster of the ceilings just before and just after its extraction;
 * the target is judged on the median of the remote rounds' ratios: extraction at least 90% of the
 * ceiling. Also reported: CPU time of this JVM per 1,000 blocks, extracting and fetching only.
 *
 * <p>This JVM (the ceiling client and the extractor) must run with the JVM flags of the {@code
 * packaging/ampd} launcher ({@code -Dampd.launcher}), so the extraction is measured as users run
 * it; it checks that it does. Composition root of the benchmark: the only place reading properties.
 * Nodes are stopped by pid in a finally block and, if the benchmark is interrupted, by a shutdown
 * hook ({@link Child#closeAll()}).
 */
public final class ExtractBench {
  static final double TARGET = 0.90;
  private static final DatasetRef REMOTE = new DatasetRef("bench", "remote", "1.0.0");
  private static final DatasetRef LOCAL = new DatasetRef("bench", "chain", "1.0.0");

  private ExtractBench() {}

  /** One setup's knobs. */
  record Setup(
      String name,
      long blocks,
      int batch,
      int concurrency,
      int segment,
      long latencyMillis,
      long nodePid) {}

  /** One setup's measurements. */
  record Run(
      Setup setup,
      List<Meter.Phase> ceilings,
      List<Meter.Phase> extractions,
      List<Long> ceilingRequests,
      List<Long> extractionRequests,
      List<TableProgress> progress) {}

  public static void main(String[] args) throws Exception {
    long localBlocks = Long.getLong("bench.blocks", 100_000);
    long remoteBlocks = Long.getLong("bench.remoteBlocks", 50_000);
    long latency = Long.getLong("bench.latencyMs", 50);
    int segment = Integer.getInteger("bench.segmentBlocks", 10_000);
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
      PgUrl pg = TestPostgres.shared().createDatabase("extract_bench");
      Migrations.migrate(pg, line -> {});
      try (MetadataDb db = MetadataDb.open(pg, 4, "extract-bench")) {
        int batch = ProviderParser.DEFAULT_BATCH_SIZE;
        int concurrency = ProviderParser.DEFAULT_CONCURRENCY;
        long warmup = Math.min(remoteBlocks, 10_000);
        Run remote;
        try (Child node =
            ChainSetup.startRemoteNode(
                dir.path().resolve("remote-node.log"),
                remoteBlocks + warmup,
                4 * concurrency,
                latency)) {
          remote =
              run(
                  db,
                  dir.mkdir("remote"),
                  node,
                  REMOTE,
                  new Setup(
                      "remote-like node",
                      remoteBlocks,
                      batch,
                      concurrency,
                      segment,
                      latency,
                      node.pid()),
                  warmup,
                  rounds,
                  true);
        }
        warmup = Math.min(localBlocks, 10_000);
        Run local;
        try (Child node =
            ChainSetup.startNode(dir.path().resolve("node.log"), localBlocks + warmup, 4)) {
          local =
              run(
                  db,
                  dir.mkdir("local"),
                  node,
                  LOCAL,
                  new Setup("local node", localBlocks, 50, 4, segment, 0, node.pid()),
                  warmup,
                  rounds,
                  false);
        }
        report = report(launcher, flags, remote, local);
      }
    } finally {
      work.set(null);
    }
    BenchProperties.publish(report, out);
    BenchProperties.exit(hook, true);
  }

  /**
   * One setup: warm-up, then the ceiling and the extraction alternating. {@code counted}: the node
   * answers {@code bench_stats} ({@link RemoteEvmNode}), so requests per phase are known.
   */
  private static Run run(
      MetadataDb db,
      Path dataDir,
      Child node,
      DatasetRef dataset,
      Setup setup,
      long warmup,
      int rounds,
      boolean counted)
      throws Exception {
    String url = ChainSetup.nodeUrl(node);
    HttpClient stats = HttpClient.newHttpClient();
    long blocks = setup.blocks();
    int batch = setup.batch();
    int concurrency = setup.concurrency();
    Meter meter = new Meter(node.pid());
    if (!counted) {
      // The local node's JIT takes a full pass or two to settle: warm it over the whole range.
      ceiling(url, 0, blocks - 1, batch, concurrency);
    }
    ceiling(url, blocks, blocks + warmup - 1, batch, concurrency);
    ProviderConfig provider = ChainSetup.provider(url, batch, concurrency);
    ChainSetup.register(db, dataset, 0, blocks + warmup - 1);
    ChainSetup.extract(
        db,
        dataDir,
        provider,
        dataset,
        dataset.name() + "-warmup",
        blocks,
        blocks + warmup - 1,
        setup.segment());
    List<Meter.Phase> ceilings = new ArrayList<>();
    List<Meter.Phase> extractions = new ArrayList<>();
    List<Long> ceilingRequests = new ArrayList<>();
    List<Long> extractionRequests = new ArrayList<>();
    long r0 = counted ? RemoteEvmNode.stats(stats, url)[0] : 0;
    ceilings.add(measureCeiling(meter, url, blocks, batch, concurrency));
    long r1 = counted ? RemoteEvmNode.stats(stats, url)[0] : 0;
    ceilingRequests.add(r1 - r0);
    List<TableProgress> progress = List.of();
    for (int round = 1; round <= rounds; round++) {
      Meter.Reading e0 = meter.read();
      long jobId =
          ChainSetup.extract(
              db,
              dataDir,
              provider,
              dataset,
              dataset.name() + "-round" + round,
              0,
              blocks - 1,
              setup.segment(),
              true);
      extractions.add(meter.since(e0));
      long r2 = counted ? RemoteEvmNode.stats(stats, url)[0] : 0;
      extractionRequests.add(r2 - r1);
      progress = new FileRepository(db.dataSource()).progressOfJob(jobId);
      ceilings.add(measureCeiling(meter, url, blocks, batch, concurrency));
      r1 = counted ? RemoteEvmNode.stats(stats, url)[0] : 0;
      ceilingRequests.add(r1 - r2);
    }
    return new Run(setup, ceilings, extractions, ceilingRequests, extractionRequests, progress);
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

  /**
   * Fetches blocks {@code first..last} with their receipts as the extractor asks for them (a
   * request of {@code batch / 2} blocks, then those blocks' receipts), discarding the bytes.
   */
  static void ceiling(String url, long first, long last, int batch, int concurrency)
      throws Exception {
    int perRequest = Math.max(1, batch / 2);
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
                    long a = next.getAndAdd(perRequest);
                    if (a > last) {
                      return null;
                    }
                    long b = Math.min(last, a + perRequest - 1);
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
    for (String method : List.of("eth_getBlockByNumber", "eth_getBlockReceipts")) {
      for (long n = a; n <= b; n++) {
        s.append(id == 0 ? "" : ",")
            .append("{\"jsonrpc\":\"2.0\",\"id\":")
            .append(id++)
            .append(",\"method\":\"")
            .append(method)
            .append("\",\"params\":[\"0x")
            .append(Long.toHexString(n))
            .append(method.equals("eth_getBlockByNumber") ? "\",true]}" : "\"]}");
      }
    }
    return s.append(']').toString();
  }

  /**
   * Round {@code r}'s ratio: the faster of the ceilings measured just before and just after its
   * extraction, over the extraction's time.
   */
  static double ratio(List<Meter.Phase> ceilings, List<Meter.Phase> extractions, int r) {
    double ceiling = Math.min(ceilings.get(r).seconds(), ceilings.get(r + 1).seconds());
    return ceiling / extractions.get(r).seconds();
  }

  /** The median of a run's rounds' ratios. */
  static double medianRatio(Run run) {
    Stats ratios = new Stats();
    for (int r = 0; r < run.extractions().size(); r++) {
      ratios.add(ratio(run.ceilings(), run.extractions(), r));
    }
    return ratios.median();
  }

  static String report(Path launcher, List<String> flags, Run remote, Run local) {
    double target = medianRatio(remote);
    return String.format(
            Locale.ROOT,
            "## ampd extraction benchmark%n%n"
                + "%d cores, Java %s. The ceiling client and the extraction run in this JVM, with"
                + " the JVM flags of the launcher %s: %s; each node in a JVM of its own (default"
                + " flags); PostgreSQL (metadata database) is a third process, not in the CPU"
                + " columns. After a warm-up, the ceiling and the extraction (a redump of the"
                + " blocks, receipts included) alternate; each round's ratio takes the faster of"
                + " the ceilings just before and after it.%n%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            launcher.getFileName(),
            String.join(" ", flags))
        + section(remote, true)
        + section(local, false)
        + String.format(
            Locale.ROOT,
            "**Target: extraction / ceiling against the remote-like node, median of the rounds,"
                + " %.0f%% (target >= %.0f%%): %s.**%n",
            target * 100,
            TARGET * 100,
            target >= TARGET ? "met" : "NOT met");
  }

  private static String section(Run run, boolean counted) {
    Setup setup = run.setup();
    long rows = 0;
    StringBuilder tables = new StringBuilder();
    for (TableProgress p : run.progress()) {
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
    StringBuilder perRound = new StringBuilder();
    phases.append(
        row(
            "ceiling (fetch and discard)",
            run.ceilings().get(0),
            counted ? run.ceilingRequests().get(0) : -1,
            setup.blocks(),
            rows));
    for (int r = 0; r < run.extractions().size(); r++) {
      phases
          .append(
              row(
                  "round " + (r + 1) + ": extraction into Parquet + metadata DB",
                  run.extractions().get(r),
                  counted ? run.extractionRequests().get(r) : -1,
                  setup.blocks(),
                  rows))
          .append(
              row(
                  "ceiling (fetch and discard)",
                  run.ceilings().get(r + 1),
                  counted ? run.ceilingRequests().get(r + 1) : -1,
                  setup.blocks(),
                  rows));
      perRound
          .append(perRound.length() == 0 ? "" : ", ")
          .append(Math.round(ratio(run.ceilings(), run.extractions(), r) * 100))
          .append('%');
    }
    Stats extractCpu = new Stats();
    for (Meter.Phase p : run.extractions()) {
      extractCpu.add(p.jvmCpu() * 1e6 / setup.blocks());
    }
    Stats fetchCpu = new Stats();
    for (Meter.Phase p : run.ceilings()) {
      fetchCpu.add(p.jvmCpu() * 1e6 / setup.blocks());
    }
    return String.format(
        Locale.ROOT,
        "### %s%n%n"
            + "synthetic chain of %,d blocks (%,d rows in all), %s, batch size %d (%d blocks and"
            + " their receipts a request), concurrency %d, segments of %,d blocks; node pid %d%n%n"
            + "| measurement | time | CPU this JVM | of it GC | CPU node JVM | node CPU per request"
            + " | machine busy | load after | blocks/s | rows/s |%n"
            + "|---|---|---|---|---|---|---|---|---|---|%n"
            + "%s%n"
            + "| table (last round) | files | rows | size |%n|---|---|---|---|%n%s%n"
            + "extraction / ceiling by round: %s; median %.0f%%. CPU of this JVM per 1,000"
            + " blocks (median): extracting %.0f ms, fetching only %.0f ms.%n%n",
        setup.name(),
        setup.blocks(),
        rows,
        setup.latencyMillis() > 0
            ? setup.latencyMillis() + " ms added to every answer, answers rendered in memory"
            : "answers rendered on the fly, no added latency",
        setup.batch(),
        Math.max(1, setup.batch() / 2),
        setup.concurrency(),
        setup.segment(),
        setup.nodePid(),
        phases,
        tables,
        perRound,
        medianRatio(run) * 100,
        extractCpu.median(),
        fetchCpu.median());
  }

  private static String row(String name, Meter.Phase p, long requests, long blocks, long rows) {
    return String.format(
        Locale.ROOT,
        "| %s | %.1f s | %.1f s | %.2f s | %.1f s | %s | %.2f cores | %s | %,.0f | %,.0f |%n",
        name,
        p.seconds(),
        p.jvmCpu(),
        p.jvmGc(),
        p.nodeCpu(),
        requests > 0
            ? String.format(
                Locale.ROOT, "%.0f µs (%,d requests)", p.nodeCpu() * 1e6 / requests, requests)
            : "-",
        p.machineBusyCores(),
        p.loadAverage(),
        blocks / p.seconds(),
        rows / p.seconds());
  }
}
