package io.ampd.bench;

import io.ampd.testing.PostmasterPidFile;
import io.ampd.testing.Processes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ampd solo} as a real process, exactly as the launcher runs it: a cold start on a fresh amp
 * dir, then a warm start on the same dir; each time until {@code /healthz} answers 200, then ~2 s
 * idle and a memory reading, then SIGTERM until the process exits. The warm start is also timed
 * until all of solo's endpoints answer: the admin API's {@code /healthz} 200, the JSON Lines
 * endpoint's {@code GET /health} 200, and the Flight SQL endpoint's {@code GetSqlInfo} ({@link
 * FlightProbe}), each polled from the spawn on, side by side (two more threads of this JVM): the
 * last of the three to answer sets the time. Beside it, before or after it by turns, a warm start
 * of {@code ampd solo --admin-server} (the admin API alone: no query endpoint, ampd as it was
 * before the query server) until {@code /healthz} answers 200, then SIGTERM. Every endpoint gets a
 * free port.
 *
 * <p>Cleanup: whatever happens, the ampd process and all its descendants are SIGKILLed by pid, and
 * a PostgreSQL still named by the cluster's {@code postmaster.pid} (one ampd left behind) is
 * SIGKILLed too, but only after {@code /proc/<pid>/cmdline} shows it serves this run's dir.
 */
final class AmpdProbe {
  private static final long HEALTH_POLL_NANOS = 5_000_000;
  private static final long START_TIMEOUT_MS = 120_000;
  private static final long STOP_TIMEOUT_MS = 30_000;
  private static final long IDLE_MS = 2_000;

  private final List<String> ampdCommand;
  private final Map<String, String> env;
  private final Results results;

  /**
   * @param ampdCommand {@code java <launcher flags> -jar ampd.jar}
   * @param env changes to the inherited environment (null removes a variable)
   */
  AmpdProbe(List<String> ampdCommand, Map<String, String> env, Results results) {
    this.ampdCommand = ampdCommand;
    this.env = env;
    this.results = results;
  }

  /**
   * One cold and one warm start-idle-stop cycle in {@code work}, and a warm start of the admin API
   * alone: before the warm cycle if {@code adminOnlyFirst}, else after it.
   */
  void measure(TempDir work, boolean adminOnlyFirst) throws IOException, InterruptedException {
    Path ampDir = work.path().resolve("amp");
    cycle(work, ampDir, "cold", Metric.COLD_START, Metric.JVM_RSS_COLD);
    if (!Files.isRegularFile(ampDir.resolve("metadb").resolve("PG_VERSION"))) {
      throw new BenchException(
          "after the cold start " + ampDir.resolve("metadb") + " holds no cluster (no PG_VERSION)",
          "the warm start would not be warm");
    }
    if (adminOnlyFirst) {
      adminOnly(work, ampDir);
    }
    cycle(work, ampDir, "warm", Metric.WARM_START, Metric.JVM_RSS_WARM);
    if (!adminOnlyFirst) {
      adminOnly(work, ampDir);
    }
  }

  /** The free ports of one start. */
  private record Ports(int admin, int flight, int jsonl) {
    static Ports free() throws IOException {
      return new Ports(freePort(), freePort(), freePort());
    }

    Map<String, String> env(Map<String, String> base) {
      Map<String, String> out = new HashMap<>(base);
      out.put("AMP_CONFIG_ADMIN_API_ADDR", "127.0.0.1:" + admin);
      out.put("AMP_CONFIG_FLIGHT_ADDR", "127.0.0.1:" + flight);
      out.put("AMP_CONFIG_JSONL_ADDR", "127.0.0.1:" + jsonl);
      return out;
    }
  }

  private Child start(TempDir work, Path ampDir, String kind, Ports ports, String... flags)
      throws IOException {
    List<String> command = new ArrayList<>(ampdCommand);
    command.addAll(List.of("--amp-dir", ampDir.toString(), "solo"));
    command.addAll(List.of(flags));
    return Child.start(command, ports.env(env), work.path().resolve("ampd-" + kind + ".log"));
  }

  private void cycle(TempDir work, Path ampDir, String kind, Metric start, Metric jvmRss)
      throws IOException, InterruptedException {
    Path dataDir = ampDir.resolve("metadb");
    Ports ports = Ports.free();
    Child ampd = start(work, ampDir, kind, ports);
    ExecutorService probes =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "bench-probe");
              t.setDaemon(true);
              return t;
            });
    try (FlightProbe flight = new FlightProbe(ports.flight())) {
      Future<Double> jsonlAnswered = null;
      Future<Double> flightAnswered = null;
      if (start == Metric.WARM_START) {
        HealthProbe jsonl = new HealthProbe(ports.jsonl(), "/health");
        jsonlAnswered = probes.submit(() -> awaitHealthy(ampd, jsonl, kind, "JSON Lines /health"));
        flightAnswered = probes.submit(() -> awaitFlight(ampd, flight, kind));
      }
      double healthz = awaitHealthy(ampd, new HealthProbe(ports.admin()), kind, "/healthz");
      results.add(start, healthz);
      if (jsonlAnswered != null) {
        double jsonl = get(jsonlAnswered);
        double flightAt = get(flightAnswered);
        results.add(Metric.WARM_JSONL, jsonl);
        results.add(Metric.WARM_FLIGHT, flightAt);
        results.add(Metric.WARM_START_ALL, Math.max(healthz, Math.max(jsonl, flightAt)));
        long probeStart = Clock.now();
        long at = flight.answeredAt();
        if (at < 0) {
          throw new BenchException("the Flight endpoint answered once, then not", ampd.logTail());
        }
        results.add(Metric.FLIGHT_PROBE, (at - probeStart) / 1e6);
      }
      Thread.sleep(IDLE_MS);
      measureMemory(ampd, dataDir, jvmRss);
      stop(ampd, dataDir);
    } finally {
      probes.shutdownNow();
      ampd.close();
      killLeftoverPostmaster(dataDir);
    }
  }

  /** Milliseconds from ampd's spawn until its Flight endpoint answered {@code GetSqlInfo}. */
  private static double awaitFlight(Child ampd, FlightProbe flight, String kind) {
    long deadline = ampd.startNanos() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (true) {
      long at = flight.answeredAt();
      if (at > 0) {
        return (at - ampd.startNanos()) / 1e6;
      }
      checkAlive(ampd, kind, "Flight GetSqlInfo", deadline);
      LockSupport.parkNanos(HEALTH_POLL_NANOS);
    }
  }

  /** The result of a probe running beside the main one; its failure as thrown. */
  private static double get(Future<Double> probe) throws InterruptedException {
    try {
      return probe.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new BenchException("a probe failed: " + e.getCause(), "");
    }
  }

  /** A warm start of the admin API alone, until {@code /healthz} answers 200; then SIGTERM. */
  private void adminOnly(TempDir work, Path ampDir) throws IOException, InterruptedException {
    Path dataDir = ampDir.resolve("metadb");
    Ports ports = Ports.free();
    Child ampd = start(work, ampDir, "warm-admin-only", ports, "--admin-server");
    try {
      results.add(
          Metric.WARM_START_ADMIN_ONLY,
          awaitHealthy(ampd, new HealthProbe(ports.admin()), "warm --admin-server", "/healthz"));
      ampd.terminate();
      int code = ampd.waitFor(STOP_TIMEOUT_MS, "ampd --admin-server after SIGTERM");
      if (code != 0) {
        throw new BenchException(
            "ampd solo --admin-server exited with " + code + " after SIGTERM", ampd.logTail());
      }
    } finally {
      ampd.close();
      killLeftoverPostmaster(dataDir);
    }
  }

  private static double awaitHealthy(Child ampd, HealthProbe probe, String kind, String what) {
    long deadline = ampd.startNanos() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (true) {
      if (probe.status() == 200) {
        return Clock.millisSince(ampd.startNanos());
      }
      checkAlive(ampd, kind, what, deadline);
      LockSupport.parkNanos(HEALTH_POLL_NANOS);
    }
  }

  private static void checkAlive(Child ampd, String kind, String what, long deadline) {
    if (!ampd.isAlive()) {
      throw new BenchException(
          "ampd (" + kind + " start) exited before " + what + " answered", ampd.logTail());
    }
    if (Clock.now() > deadline) {
      throw new BenchException(
          "ampd ("
              + kind
              + " start): "
              + what
              + " did not answer within "
              + START_TIMEOUT_MS
              + " ms",
          ampd.logTail());
    }
  }

  private void measureMemory(Child ampd, Path dataDir, Metric jvmRss) {
    results.add(jvmRss, kib(ProcFs.rssKib(ampd.pid()), "ampd JVM") / 1024.0);
    long postmaster =
        PostmasterPidFile.pid(dataDir)
            .orElseThrow(
                () -> new BenchException("no pid in " + PostmasterPidFile.path(dataDir), ""));
    List<Long> pids = new ArrayList<>();
    pids.add(postmaster);
    ProcessHandle.of(postmaster).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    long rss = 0;
    long pss = 0;
    int counted = 0;
    for (long pid : pids) {
      OptionalLong r = ProcFs.rssKib(pid);
      OptionalLong p = ProcFs.pssKib(pid);
      if (r.isPresent() && p.isPresent()) {
        rss += r.getAsLong();
        pss += p.getAsLong();
        counted++;
      }
    }
    if (counted == 0) {
      throw new BenchException("PostgreSQL (postmaster pid " + postmaster + ") is not running", "");
    }
    results.add(Metric.PG_RSS, rss / 1024.0);
    results.add(Metric.PG_PSS, pss / 1024.0);
    results.add(Metric.PG_PROCESSES, counted);
  }

  private void stop(Child ampd, Path dataDir) throws InterruptedException {
    long postmaster = PostmasterPidFile.pid(dataDir).orElse(-1);
    long stopStart = Clock.now();
    ampd.terminate();
    int code = ampd.waitFor(STOP_TIMEOUT_MS, "ampd after SIGTERM");
    double ms = Clock.millisSince(stopStart);
    String unclean = null;
    if (Files.exists(PostmasterPidFile.path(dataDir))) {
      unclean = "postmaster.pid still present after ampd exited";
    } else if (postmaster > 0 && Processes.alive(postmaster)) {
      unclean = "postmaster pid " + postmaster + " still alive after ampd exited";
    }
    results.add(Metric.SIGTERM_EXIT, ms);
    results.sigtermExit(code, unclean);
  }

  static void killLeftoverPostmaster(Path dataDir) {
    OptionalLong pid = PostmasterPidFile.pid(dataDir);
    if (pid.isEmpty() || !Processes.alive(pid.getAsLong())) {
      return;
    }
    String cmdline = ProcFs.cmdline(pid.getAsLong()).orElse("");
    if (!cmdline.contains(dataDir.toString())) {
      return;
    }
    System.err.println("bench: SIGKILL leftover PostgreSQL pid " + pid.getAsLong());
    ProcessHandle.of(pid.getAsLong())
        .ifPresent(
            h -> {
              h.descendants().forEach(ProcessHandle::destroyForcibly);
              h.destroyForcibly();
            });
  }

  private static long kib(OptionalLong value, String what) {
    return value.orElseThrow(() -> new BenchException("cannot read the memory of " + what, ""));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
