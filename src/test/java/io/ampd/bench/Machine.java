package io.ampd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the numbers were measured on: CPUs, memory, kernel, Java, PostgreSQL. */
record Machine(
    int cpus,
    String cpuModel,
    String memory,
    String os,
    String javaVersion,
    String postgres,
    String loadAverage) {

  static Machine describe(Path postgresBinary) {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        procLine(Path.of("/proc/cpuinfo"), "model name").orElse("unknown CPU"),
        procLine(Path.of("/proc/meminfo"), "MemTotal").map(Machine::gib).orElse("unknown memory"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        postgresVersion(postgresBinary),
        ProcFs.loadAverage());
  }

  String markdown() {
    return String.format(
        Locale.ROOT,
        "Machine: %d CPUs (nproc), %s, %s RAM, %s; Java: %s; PostgreSQL: %s;"
            + " load average (1/5/15 min) when the report was printed: %s",
        cpus,
        cpuModel,
        memory,
        os,
        javaVersion,
        postgres,
        loadAverage);
  }

  private static String gib(String memTotal) {
    long kib = Long.parseLong(memTotal.replaceAll("[^0-9]", ""));
    return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
  }

  private static Optional<String> procLine(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.stream()
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String postgresVersion(Path postgres) {
    try {
      Process p =
          new ProcessBuilder(postgres.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return out + " (" + postgres.toRealPath() + ")";
    } catch (IOException e) {
      return "unknown (" + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
