package io.ampd.bench;

import io.ampd.cli.Cli;
import io.ampd.cli.CliContext;
import io.ampd.cli.Endpoints;
import io.ampd.cli.HostEnvironment;
import io.ampd.cli.Invocation;
import io.ampd.cli.Roles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The command line's share of a start, alone: {@code Cli.create(...).execute(args)} in a fresh JVM
 * per run, with the launcher's JVM flags and a class-data archive recorded by a first run of the
 * same command line, timed as main-thread CPU and wall time. Logging is started first, as {@code
 * Main} does before the command line. Run by hand, not a test:
 *
 * <pre>
 * mvn -q -DskipTests -Dampd.release.skip=true package
 * jar cf /tmp/child.jar -C target/test-classes io/ampd/bench   # the current code's Child
 * java -cp target/test-classes io.ampd.bench.CliStartBench [-Druns=21] \
 *     now=/tmp/child.jar:target/ampd.jar other=/tmp/other-child.jar:/elsewhere/target/ampd.jar
 * </pre>
 *
 * <p>Each class path (after {@code LABEL=}) must be jars only (a class-data archive refuses
 * directories) and hold a class {@code io.ampd.bench.CliStartBench$Child} that runs its version's
 * command line: this one for the current code, or one like it compiled against an older jar whose
 * {@code Cli.create} differs. Run from the project's directory (the flags are read from {@code
 * packaging/ampd}). The versions run alternated, for {@code ampd --version}, {@code ampd migrate}
 * without a config (a usage error after the command is found and its options resolved) and {@code
 * ampd --help}; the medians, minimums and maximums are printed as a Markdown table.
 */
public final class CliStartBench {
  private static final List<List<String>> COMMANDS =
      List.of(List.of("--version"), List.of("migrate"), List.of("--help"));

  private CliStartBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("runs", 21);
    Map<String, String> variants = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      variants.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    List<String> flags = LauncherFlags.read(Path.of("packaging/ampd"));
    Path dir = Files.createTempDirectory("cli-start-bench");
    Map<String, Stats> cpu = new LinkedHashMap<>();
    Map<String, Stats> wall = new LinkedHashMap<>();
    for (List<String> command : COMMANDS) {
      for (Map.Entry<String, String> v : variants.entrySet()) {
        Path archive = dir.resolve(v.getKey() + "-" + command.get(0) + ".jsa");
        run(flags, List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off"), v, command);
      }
    }
    for (int i = 0; i < runs; i++) {
      for (List<String> command : COMMANDS) {
        for (Map.Entry<String, String> v : variants.entrySet()) {
          Path archive = dir.resolve(v.getKey() + "-" + command.get(0) + ".jsa");
          double[] figures = run(flags, List.of("-XX:SharedArchiveFile=" + archive), v, command);
          String key = "ampd " + String.join(" ", command) + " | " + v.getKey();
          cpu.computeIfAbsent(key, k -> new Stats()).add(figures[0]);
          wall.computeIfAbsent(key, k -> new Stats()).add(figures[1]);
        }
      }
    }
    try (var archives = Files.list(dir)) {
      for (Path archive : archives.toList()) {
        Files.delete(archive);
      }
    }
    Files.delete(dir);
    System.out.printf("%d runs each, alternated; main-thread CPU and wall time, ms%n", runs);
    System.out.println("| run | version | CPU median (min-max) | wall median (min-max) |");
    System.out.println("|---|---|--:|--:|");
    for (String key : cpu.keySet()) {
      String[] parts = key.split(" \\| ");
      Stats c = cpu.get(key);
      Stats w = wall.get(key);
      System.out.printf(
          "| `%s` | %s | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) |%n",
          parts[0], parts[1], c.median(), c.min(), c.max(), w.median(), w.min(), w.max());
    }
  }

  /** One fresh JVM: its {@code cpu wall} line, in milliseconds. */
  private static double[] run(
      List<String> flags, List<String> extra, Map.Entry<String, String> variant, List<String> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.addAll(extra);
    command.add("-cp");
    command.add(variant.getValue());
    command.add(Child.class.getName());
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    for (String line : output.split("\n")) {
      if (line.startsWith("cli-start ")) {
        String[] f = line.split(" ");
        return new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])};
      }
    }
    throw new BenchException(
        variant.getKey() + " " + args + " printed no figures: " + output,
        "check that its class path holds " + Child.class.getName());
  }

  /** The measured run: the command line of this version of ampd, roles that start nothing. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      StringWriter sink = new StringWriter();
      PrintWriter out = new PrintWriter(sink);
      PrintWriter err = new PrintWriter(sink);
      HostEnvironment env = new HostEnvironment(Map.of());
      // Main starts logging (its Shutdown's logger) before the command line: so does this run.
      LoggerFactory.getLogger(Child.class);
      long cpu0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      CliContext context = new CliContext(env, out, err);
      int code = Cli.create(context, new NoRoles()).execute(args);
      long wall1 = System.nanoTime();
      long cpu1 = threads.getCurrentThreadCpuTime();
      System.out.printf(
          "cli-start %.3f %.3f %d%n", (cpu1 - cpu0) / 1e6, (wall1 - wall0) / 1e6, code);
      if (Boolean.getBoolean("cli.start.echo")) {
        System.out.println(sink + " " + Arrays.toString(args));
      }
    }
  }

  private static final class NoRoles implements Roles {
    @Override
    public int solo(Invocation invocation, Endpoints endpoints) {
      return 0;
    }

    @Override
    public int controller(Invocation invocation) {
      return 0;
    }

    @Override
    public int server(Invocation invocation, Endpoints endpoints) {
      return 0;
    }

    @Override
    public int worker(Invocation invocation, String nodeId) {
      return 0;
    }

    @Override
    public int migrate(Invocation invocation) {
      return 0;
    }
  }
}
