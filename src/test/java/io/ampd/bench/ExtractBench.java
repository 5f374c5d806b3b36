package io.ampd.bench;

import io.ampd.config.PgUrl;
import io.ampd.extract.EvmRpcJobRunner;
import io.ampd.metadb.FileRepository;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.metadb.TableProgress;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import io.ampd.worker.JobContext;
import io.ampd.worker.StopSignal;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The extraction benchmark: {@code mvn -B -Pbench package} runs it after the startup benchmark
 * ({@code -Dbench.runs=1} keeps that one short; {@code -Dbench.blocks=N}, default 100,000); the
 * report also goes to {@code target/extract-bench.md}. Not a test: it measures and prints.
 *
 * <p>One local {@link FakeEvmNode} serves a synthetic chain of {@code bench.blocks} blocks (default
 * 100,000) with transactions and logs. In the same run, on the same machine:
 *
 * <ol>
 *   <li><b>node ceiling</b>: a client that only fetches every block (with transactions) and its
 *       logs, with the extractor's batch size and concurrency, reading each response body in full
 *       and discarding it: the most any extractor could get from this node here;
 *   <li><b>extraction</b>: the real {@link EvmRpcJobRunner} over the same blocks into Parquet,
 *       recording files and progress in a metadata database on the project's own PostgreSQL.
 * </ol>
 *
 * Both run once over a short warm-up range first (JIT), not counted. Target: extraction at least
 * 70% of the ceiling. Composition root of the benchmark: the only place reading properties.
 */
public final class ExtractBench {
  static final double TARGET = 0.70;

  private ExtractBench() {}

  public static void main(String[] args) throws Exception {
    long blocks = Long.getLong("bench.blocks", 100_000);
    int batch = Integer.getInteger("bench.batchSize", 50);
    int concurrency = Integer.getInteger("bench.concurrency", 4);
    int segment = Integer.getInteger("bench.segmentBlocks", 10_000);
    long warmup = Math.min(blocks, 10_000);
    String out = System.getProperty("bench.out", "");

    SyntheticChain chain = new SyntheticChain(7);
    try (FakeEvmNode node = FakeEvmNode.start(chain, blocks + warmup, concurrency)) {
      ceiling(node.url(), blocks, blocks + warmup - 1, batch, concurrency);
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      ceiling(node.url(), 0, blocks - 1, batch, concurrency);
      double ceilingSeconds = (System.nanoTime() - t0) / 1e9;
      double ceilingCpu = (cpuNanos() - c0) / 1e9;

      PgUrl url = TestPostgres.shared().createDatabase("extract_bench");
      Migrations.migrate(url, line -> {});
      Path dataDir = TempDirs.create("extract-bench");
      try (MetadataDb db = MetadataDb.open(url, 4, "extract-bench")) {
        ProviderConfig provider =
            new ProviderConfig(
                "bench",
                "evm-rpc",
                node.url(),
                "bench",
                concurrency,
                batch,
                Duration.ofSeconds(10),
                new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2)));
        extract(db, dataDir, provider, "warmup", blocks, blocks + warmup - 1, segment);
        long t1 = System.nanoTime();
        long c1 = cpuNanos();
        long jobId = extract(db, dataDir, provider, "bench", 0, blocks - 1, segment);
        double extractSeconds = (System.nanoTime() - t1) / 1e9;
        double extractCpu = (cpuNanos() - c1) / 1e9;
        List<TableProgress> progress = new FileRepository(db.dataSource()).progressOfJob(jobId);
        String report =
            report(
                blocks,
                batch,
                concurrency,
                segment,
                ceilingSeconds,
                ceilingCpu,
                extractSeconds,
                extractCpu,
                progress);
        System.out.println(report);
        if (!out.isEmpty()) {
          Files.writeString(Path.of(out), report, StandardCharsets.UTF_8);
        }
      } finally {
        TempDirs.deleteRecursively(dataDir);
      }
    }
    System.exit(0);
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

  private static long extract(
      MetadataDb db,
      Path dataDir,
      ProviderConfig provider,
      String key,
      long first,
      long last,
      int segment)
      throws Exception {
    long jobId;
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO manifests (hash, kind, content) VALUES ('bench', 'evm-rpc', '{}')"
              + " ON CONFLICT DO NOTHING");
      s.execute(
          "INSERT INTO datasets (namespace, name, version, manifest_hash)"
              + " VALUES ('bench', 'chain', '1.0.0', 'bench') ON CONFLICT DO NOTHING");
      try (ResultSet r =
          s.executeQuery(
              "INSERT INTO jobs (idempotency_key, dataset_namespace, dataset_name,"
                  + " dataset_version, status) VALUES ('"
                  + key
                  + "', 'bench', 'chain', '1.0.0',"
                  + " 'RUNNING') RETURNING id")) {
        r.next();
        jobId = r.getLong(1);
      }
    }
    EvmRpcManifest manifest =
        new EvmRpcManifest(
            "bench",
            first,
            OptionalLong.of(last),
            0,
            List.of(EvmTable.BLOCKS, EvmTable.TRANSACTIONS, EvmTable.LOGS));
    StopSignal never =
        new StopSignal() {
          @Override
          public boolean stopRequested() {
            return false;
          }

          @Override
          public boolean await(Duration timeout) throws InterruptedException {
            Thread.sleep(timeout.toMillis());
            return false;
          }
        };
    new EvmRpcJobRunner()
        .run(
            new JobContext(
                jobId,
                "bench",
                new DatasetRef("bench", "chain", "1.0.0"),
                manifest,
                provider,
                db.dataSource(),
                dataDir,
                segment,
                never));
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      // The runner leaves status to the worker; a finished job frees the dataset for the next.
      s.execute("UPDATE jobs SET status = 'COMPLETED' WHERE id = " + jobId);
    }
    return jobId;
  }

  /** CPU time of this JVM (node, client and extractor alike; PostgreSQL is another process). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static String report(
      long blocks,
      int batch,
      int concurrency,
      int segment,
      double ceilingSeconds,
      double ceilingCpu,
      double extractSeconds,
      double extractCpu,
      List<TableProgress> progress) {
    long rows = 0;
    long bytes = 0;
    StringBuilder tables = new StringBuilder();
    for (TableProgress p : progress) {
      rows += p.rows();
      bytes += p.bytes();
      tables.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %.1f MiB |%n",
              p.table(),
              p.files(),
              p.rows(),
              p.bytes() / 1048576.0));
    }
    double ceiling = blocks / ceilingSeconds;
    double extract = blocks / extractSeconds;
    double ratio = extract / ceiling;
    return String.format(
        Locale.ROOT,
        "## ampd extraction benchmark%n%n"
            + "%d cores, Java %s; synthetic chain of %,d blocks (%,d rows in all),"
            + " batch size %d, concurrency %d, segments of %,d blocks%n%n"
            + "| measurement | time | CPU time (this JVM) | blocks/s | rows/s |%n"
            + "|---|---|---|---|---|%n"
            + "| node ceiling (fetch and discard) | %.1f s | %.1f s | %,.0f | %,.0f |%n"
            + "| extraction into Parquet + metadata DB | %.1f s | %.1f s | %,.0f | %,.0f |%n%n"
            + "| table | files | rows | size |%n|---|---|---|---|%n%s%n"
            + "extraction / ceiling: %.0f%% (target >= %.0f%%): %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        blocks,
        rows,
        batch,
        concurrency,
        segment,
        ceilingSeconds,
        ceilingCpu,
        ceiling,
        rows / ceilingSeconds,
        extractSeconds,
        extractCpu,
        extract,
        rows / extractSeconds,
        tables,
        ratio * 100,
        TARGET * 100,
        ratio >= TARGET ? "met" : "NOT met");
  }
}
