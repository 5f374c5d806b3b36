package io.ampd.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The startup benchmark of ampd: {@code mvn -B -Pbench package} (runs with {@code -Dbench.runs=N},
 * default 5). Not a test: it measures and prints, it asserts nothing.
 *
 * <p>Each round runs, in its own temp dir, the floors (bare JVM, initdb, raw postgres start and
 * fast shutdown) and then ampd solo (cold start, warm start, each followed by idle memory and
 * SIGTERM; the warm start also until every endpoint answers, beside a warm start of the admin API
 * alone, by turns before and after it), so floors and ampd share the machine's state. A first
 * warm-up round ({@code -Dbench.warmup}, default 1) fills the page cache and loads the benchmark's
 * own code; its numbers are dropped. The table shows medians; the targets are computed from them.
 *
 * <p>This class is the benchmark's composition root: the only one reading system properties and the
 * environment. A shutdown hook SIGKILLs whatever is still running if the benchmark is interrupted,
 * and every round's temp dir is deleted when the round ends.
 */
public final class StartupBench {
  private StartupBench() {}

  public static void main(String[] args) throws Exception {
    int runs = BenchProperties.intProperty("bench.runs", 5, 1);
    int warmup = BenchProperties.intProperty("bench.warmup", 1, 0);
    Path jar = BenchProperties.existing("ampd.jar");
    Path launcher = BenchProperties.existing("ampd.launcher");
    String pgUser = System.getProperty("bench.pgUser", "postgres");
    String out = System.getProperty("bench.out", "");
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> javaWithFlags = new ArrayList<>();
    javaWithFlags.add(java.toString());
    javaWithFlags.addAll(LauncherFlags.read(launcher));
    // ampd runs through the launcher, as users run it (it execs java, so the pid is the JVM's):
    // same flags, same class-data-sharing archive (made by the warm-up round).
    List<String> ampdCommand = List.of(launcher.toString());

    Map<String, String> ampdEnv = BenchProperties.ampdEnvironment(jar);

    PgTools pg =
        PgTools.fromPath(System.getenv().getOrDefault("PATH", ""), ProcFs.isRoot(), pgUser);
    String noopClasspath =
        Path.of(Noop.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();

    Results results = new Results();
    Floors floors = new Floors(javaWithFlags, noopClasspath, pg, new SelectOne(results), results);
    AmpdProbe ampd = new AmpdProbe(ampdCommand, ampdEnv, results);

    AtomicReference<TempDir> currentDir = new AtomicReference<>();
    Thread hook = BenchProperties.cleanupOnInterrupt(currentDir);
    boolean floorsOk = true;
    boolean ampdOk = true;
    for (int round = 0; round < warmup + runs; round++) {
      boolean counted = round >= warmup;
      results.recording(counted);
      System.err.printf(
          "bench: round %d of %d%s%n",
          round + 1, warmup + runs, counted ? "" : " (warm-up, not counted)");
      try (TempDir work = TempDir.create(tmp, "ampd-bench-")) {
        currentDir.set(work);
        if (floorsOk) {
          floorsOk = attempt("floors", results, () -> floors.measure(work));
        }
        if (ampdOk) {
          boolean adminOnlyFirst = round % 2 == 1;
          ampdOk = attempt("ampd", results, () -> ampd.measure(work, adminOnlyFirst));
        }
      } finally {
        currentDir.set(null);
      }
      if (!floorsOk && !ampdOk) {
        break;
      }
    }

    String report =
        new Report(results).markdown(Machine.describe(pg.postgres()), ampdCommand, runs, warmup);
    BenchProperties.publish(report, out);
    BenchProperties.exit(hook, results.errors().isEmpty());
  }

  /** A measurement step that may throw. */
  private interface Step {
    void run() throws IOException, InterruptedException;
  }

  /** Runs a step; an error is recorded (with its detail on stderr) and ends that part. */
  private static boolean attempt(String part, Results results, Step step)
      throws InterruptedException {
    try {
      step.run();
      return true;
    } catch (BenchException e) {
      results.error(part + ": " + e.getMessage());
      System.err.println("bench: " + part + " failed: " + e.getMessage());
      if (!e.detail().isEmpty()) {
        System.err.println(e.detail().indent(2));
      }
    } catch (IOException | RuntimeException e) {
      results.error(part + ": " + e);
      e.printStackTrace();
    }
    System.err.println("bench: " + part + " measurements stop here");
    return false;
  }
}
