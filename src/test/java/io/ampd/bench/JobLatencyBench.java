package io.ampd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.PostmasterPidFile;
import io.ampd.testing.SyntheticChain;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The job latency benchmark of ampd, run by {@code mvn -B -Pbench package} after the startup
 * benchmark ({@code -Dbench.jobRuns=N}, default 10; {@code -Dbench.jobWarmup}, default 1; {@code
 * -Dbench.jobHoldMs}, default 300). Not a test: it measures and prints.
 *
 * <p>One {@code ampd solo} runs, through the launcher as users run it, on a fresh amp dir whose
 * {@code providers/} names a {@link FakeEvmNode} started in this JVM (a synthetic chain whose head
 * is far away) and whose {@code manifests/} registers two follow-head datasets: {@code bench/busy}
 * starts at block 0, so its job is extracting when stopped; {@code bench/idle} starts past the
 * head, so its job waits for blocks. Once {@code /healthz} answers 200 and the solo worker is live,
 * each round deploys, holds and stops one job of each (see {@link JobLatencyProbe}); the first
 * rounds are a warm-up, not counted.
 *
 * <p>This class is the composition root: the only one reading system properties and the
 * environment. ampd and its PostgreSQL are SIGKILLed by pid in a finally block (and by a shutdown
 * hook if the benchmark is interrupted); the temp dir is deleted.
 */
public final class JobLatencyBench {
  private static final long HEAD = 100_000_000L;
  private static final String NETWORK = "benchnet";
  private static final String VERSION = "1.0.0";
  private static final long START_TIMEOUT_MS = 120_000;
  private static final long STOP_TIMEOUT_MS = 30_000;

  private JobLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int runs = BenchProperties.intProperty("bench.jobRuns", 10, 1);
    int warmup = BenchProperties.intProperty("bench.jobWarmup", 1, 0);
    Duration hold = Duration.ofMillis(BenchProperties.intProperty("bench.jobHoldMs", 300, 0));
    Path jar = BenchProperties.existing("ampd.jar");
    Path launcher = BenchProperties.existing("ampd.launcher");
    String out = System.getProperty("bench.out", "");
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<String> ampdCommand = List.of(launcher.toString());

    Map<String, String> ampdEnv = BenchProperties.ampdEnvironment(jar);
    Path postgresOnPath =
        PgTools.fromPath(System.getenv().getOrDefault("PATH", ""), ProcFs.isRoot(), "postgres")
            .postgres();

    AtomicReference<TempDir> currentDir = new AtomicReference<>();
    Thread hook = BenchProperties.cleanupOnInterrupt(currentDir);

    List<String> errors = new ArrayList<>();
    JobLatencyProbe probe;
    Path postgres = postgresOnPath;
    String setup;
    try (TempDir work = TempDir.create(tmp, "ampd-jobs-bench-");
        FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), HEAD, 2)) {
      currentDir.set(work);
      Path ampDir = work.mkdir("amp");
      writeRegistry(ampDir, node.url());
      int port = freePort();
      AdminClient api = new AdminClient(port);
      probe = new JobLatencyProbe(api, hold);
      setup =
          "JSON-RPC node: io.ampd.testing.FakeEvmNode in the benchmark's JVM (synthetic chain,"
              + " head "
              + HEAD
              + "); follow-head jobs held RUNNING "
              + hold.toMillis()
              + " ms before the stop; the API polled every 5 ms.";

      Map<String, String> childEnv = new HashMap<>(ampdEnv);
      childEnv.put("AMP_CONFIG_ADMIN_API_ADDR", "127.0.0.1:" + port);
      // solo runs the query endpoints too: free ports, not their defaults, which may be taken
      childEnv.put("AMP_CONFIG_FLIGHT_ADDR", "127.0.0.1:" + freePort());
      childEnv.put("AMP_CONFIG_JSONL_ADDR", "127.0.0.1:" + freePort());
      List<String> command = new ArrayList<>(ampdCommand);
      command.addAll(List.of("--amp-dir", ampDir.toString(), "solo"));
      Path dataDir = ampDir.resolve("metadb");
      Child ampd = Child.start(command, childEnv, work.path().resolve("ampd.log"));
      try {
        awaitReady(ampd, new HealthProbe(port), api);
        postgres = postmasterBinary(dataDir, postgresOnPath);
        for (int round = 0; round < warmup + runs; round++) {
          boolean counted = round >= warmup;
          probe.recording(counted);
          System.err.printf(
              "bench: jobs round %d of %d%s%n",
              round + 1, warmup + runs, counted ? "" : " (warm-up, not counted)");
          probe.cycle(datasetPath("idle"), JobLatencyProbe.Variant.IDLE);
          probe.cycle(datasetPath("busy"), JobLatencyProbe.Variant.BUSY);
        }
        ampd.terminate();
        ampd.waitFor(STOP_TIMEOUT_MS, "ampd after SIGTERM");
      } catch (BenchException e) {
        errors.add(e.getMessage());
        System.err.println("bench: jobs failed: " + e.getMessage());
        String detail = e.detail().isEmpty() ? ampd.logTail() : e.detail();
        System.err.println(detail.indent(2));
      } catch (IOException | RuntimeException e) {
        errors.add(e.toString());
        e.printStackTrace();
        System.err.println(ampd.logTail().indent(2));
      } finally {
        ampd.close();
        AmpdProbe.killLeftoverPostmaster(dataDir);
        currentDir.set(null);
      }
    }

    String report =
        new JobReport(probe)
            .markdown(Machine.describe(postgres), ampdCommand, setup, runs, warmup, errors);
    BenchProperties.publish(report, out);
    BenchProperties.exit(hook, errors.isEmpty());
  }

  private static String datasetPath(String name) {
    return "/datasets/bench/" + name + "/versions/" + VERSION;
  }

  /** One provider (the node) and the two datasets, as files ampd registers at start. */
  private static void writeRegistry(Path ampDir, String nodeUrl) throws IOException {
    Path providers = Files.createDirectory(ampDir.resolve("providers"));
    Path manifests = Files.createDirectory(ampDir.resolve("manifests"));
    Files.writeString(
        providers.resolve("bench.toml"),
        "name = \"bench\"\nkind = \"evm-rpc\"\nnetwork = \""
            + NETWORK
            + "\"\nurl = \""
            + nodeUrl
            + "\"\n",
        StandardCharsets.UTF_8);
    Files.writeString(manifests.resolve("busy.json"), manifest("busy", 0), StandardCharsets.UTF_8);
    Files.writeString(
        manifests.resolve("idle.json"), manifest("idle", HEAD + 1), StandardCharsets.UTF_8);
  }

  private static String manifest(String name, long startBlock) {
    return "{\"namespace\": \"bench\", \"name\": \""
        + name
        + "\", \"version\": \""
        + VERSION
        + "\", \"manifest\": {\"kind\": \"evm-rpc\", \"network\": \""
        + NETWORK
        + "\", \"start_block\": "
        + startBlock
        + ", \"confirmations\": 0, \"tables\": [\"blocks\", \"transactions\", \"logs\"]}}";
  }

  /** Until {@code /healthz} is 200 and a worker is live (deploy schedules onto live ones). */
  private static void awaitReady(Child ampd, HealthProbe health, AdminClient api)
      throws IOException, InterruptedException {
    long deadline = ampd.startNanos() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    boolean healthy = false;
    while (true) {
      if (!ampd.isAlive()) {
        throw new BenchException("ampd exited before it was ready", ampd.logTail());
      }
      if (Clock.now() > deadline) {
        throw new BenchException(
            "ampd not ready (healthy, a live worker) within " + START_TIMEOUT_MS + " ms",
            ampd.logTail());
      }
      healthy = healthy || health.status() == 200;
      if (healthy && hasLiveWorker(api.get("/workers").expect(200))) {
        for (String name : List.of("idle", "busy")) {
          api.get(datasetPath(name)).expect(200);
        }
        return;
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  private static boolean hasLiveWorker(JsonNode workers) {
    for (JsonNode w : workers.path("workers")) {
      if (w.path("live").asBoolean()) {
        return true;
      }
    }
    return false;
  }

  /** The binary of the running postmaster (what ampd picked), else the one on PATH. */
  private static Path postmasterBinary(Path dataDir, Path fallback) {
    return PostmasterPidFile.pid(dataDir).stream()
        .mapToObj(pid -> Path.of("/proc", Long.toString(pid), "exe"))
        .filter(Files::exists)
        .map(
            p -> {
              try {
                return p.toRealPath();
              } catch (IOException e) {
                return fallback;
              }
            })
        .findFirst()
        .orElse(fallback);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
