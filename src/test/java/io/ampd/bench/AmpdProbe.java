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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ampd solo} as a real process, exactly as the launcher runs it: a cold start on a fresh amp
 * dir, then a warm start on the same dir; each time until {@code /healthz} answers 200, then ~2 s
 * idle and a memory reading, then SIGTERM until the process exits.
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

  /** One cold and one warm start-idle-stop cycle in {@code work}. */
  void measure(TempDir work) throws IOException, InterruptedException {
    Path ampDir = work.path().resolve("amp");
    cycle(work, ampDir, "cold", Metric.COLD_START, Metric.JVM_RSS_COLD);
    if (!Files.isRegularFile(ampDir.resolve("metadb").resolve("PG_VERSION"))) {
      throw new BenchException(
          "after the cold start " + ampDir.resolve("metadb") + " holds no cluster (no PG_VERSION)",
          "the warm start would not be warm");
    }
    cycle(work, ampDir, "warm", Metric.WARM_START, Metric.JVM_RSS_WARM);
  }

  private void cycle(TempDir work, Path ampDir, String kind, Metric start, Metric jvmRss)
      throws IOException, InterruptedException {
    Path dataDir = ampDir.resolve("metadb");
    int port = freePort();
    List<String> command = new ArrayList<>(ampdCommand);
    command.addAll(List.of("--amp-dir", ampDir.toString(), "solo"));
    Map<String, String> childEnv = new HashMap<>(env);
    childEnv.put("AMP_CONFIG_ADMIN_API_ADDR", "127.0.0.1:" + port);
    Path log = work.path().resolve("ampd-" + kind + ".log");
    Child ampd = Child.start(command, childEnv, log);
    try {
      results.add(start, awaitHealthy(ampd, new HealthProbe(port), kind));
      Thread.sleep(IDLE_MS);
      measureMemory(ampd, dataDir, jvmRss);
      stop(ampd, dataDir);
    } finally {
      ampd.close();
      killLeftoverPostmaster(dataDir);
    }
  }

  private static double awaitHealthy(Child ampd, HealthProbe probe, String kind) {
    long deadline = ampd.startNanos() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (true) {
      if (probe.status() == 200) {
        return Clock.millisSince(ampd.startNanos());
      }
      if (!ampd.isAlive()) {
        throw new BenchException(
            "ampd (" + kind + " start) exited before /healthz answered 200", ampd.logTail());
      }
      if (Clock.now() > deadline) {
        throw new BenchException(
            "ampd (" + kind + " start) not healthy within " + START_TIMEOUT_MS + " ms",
            ampd.logTail());
      }
      LockSupport.parkNanos(HEALTH_POLL_NANOS);
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
