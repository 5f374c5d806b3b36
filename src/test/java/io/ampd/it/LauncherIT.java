package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code packaging/ampd} as users run it, on a copy of the packaged jar (so its class-data archive
 * goes into a temp dir, not {@code target/cds}): a failed first run's archive is dropped, the first
 * solo run records one without printing the JVM's warnings, it then maps however the jar's path is
 * spelled, and a changed library makes a new one.
 */
class LauncherIT {
  private static final Duration START = Duration.ofSeconds(60);
  private Path base;
  private Path jar;
  private Path launcher;

  @BeforeEach
  void setUp() throws IOException {
    base = TempDirs.create("ampd-it-launcher");
    Path packaged = Path.of(System.getProperty("ampd.jar")).toAbsolutePath();
    launcher = packaged.getParent().getParent().resolve("packaging/ampd");
    Path dist = Files.createDirectories(base.resolve("dist"));
    jar = dist.resolve("ampd.jar");
    Files.copy(packaged, jar);
    Path lib = Files.createDirectories(dist.resolve("lib"));
    try (Stream<Path> jars = Files.list(packaged.getParent().resolve("lib"))) {
      for (Path j : jars.toList()) {
        Files.copy(j, lib.resolve(j.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  @AfterEach
  void tearDown() {
    TempDirs.deleteRecursively(base);
  }

  /** {@code ampd solo} through the launcher and {@code dist/ampd.jar}, healthy on {@code port}. */
  private AmpdProcess startSolo(int port) throws Exception {
    Map<String, String> soloEnv = env("dist/ampd.jar", "");
    soloEnv.putAll(AmpdProcess.envWithAdminPort(port));
    AmpdProcess solo =
        AmpdProcess.startCommand(
            base,
            soloEnv,
            List.of(launcher.toString(), "--amp-dir", base.resolve(".amp").toString(), "solo"));
    try {
      solo.awaitHealthy(port, START);
    } catch (Exception | Error e) {
      solo.close();
      throw e;
    }
    return solo;
  }

  private Map<String, String> env(String ampdJar, String javaOpts) {
    Map<String, String> env = new HashMap<>();
    env.put("AMPD_JAR", ampdJar);
    env.put("AMPD_JAVA_OPTS", javaOpts);
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("AMPD_NO_CDS", ""); // empty: class data sharing on, whatever the caller has set
    return env;
  }

  @Test
  void firstSoloRecordsTheArchiveQuietlyAndItMapsThroughAnyPathToTheJar() throws Exception {
    // A first run that fails records an archive of too few classes: ampd marks it failed and
    // the next start drops it and records again.
    try (AmpdProcess failed =
        AmpdProcess.startCommand(
            base,
            env("dist/ampd.jar", ""),
            List.of(
                launcher.toString(),
                "--amp-dir",
                base.resolve(".amp").toString(),
                "solo",
                "--config",
                base.resolve("missing.toml").toString()))) {
      assertEquals(1, failed.waitFor(START), failed.stderr());
      assertTrue(failed.stderr().startsWith("error: "), failed.stderr());
    }
    Path cds = jar.getParent().resolve("cds");
    try (Stream<Path> files = Files.list(cds)) {
      assertEquals(1, files.filter(f -> f.toString().endsWith(".failed")).count());
    }

    int port = AmpdProcess.freePort();
    try (AmpdProcess solo = startSolo(port)) {
      solo.signal("TERM");
      assertEquals(0, solo.waitFor(START), solo.stderr());
      assertFalse(solo.stdout().contains("warning"), solo.stdout());
      assertFalse(solo.stderr().contains("[warning]"), solo.stderr());
    }
    try (Stream<Path> files = Files.list(cds)) {
      List<String> names = files.map(f -> f.getFileName().toString()).toList();
      assertEquals(1, names.size(), names.toString());
      assertTrue(names.get(0).contains(".jsa.tmp."), names.toString());
    }

    // -Xshare:on makes the JVM refuse to start unless the archive maps: it must, through the
    // absolute path from elsewhere as through the relative path it was recorded with.
    Path elsewhere = Files.createDirectories(base.resolve("elsewhere"));
    for (Map.Entry<Path, String> run :
        Map.of(elsewhere, jar.toString(), base, "dist/ampd.jar").entrySet()) {
      try (AmpdProcess version =
          AmpdProcess.startCommand(
              run.getKey(),
              env(run.getValue(), "-Xshare:on"),
              List.of(launcher.toString(), "--version"))) {
        assertEquals(0, version.waitFor(START), version.stderr());
        assertTrue(version.stdout().startsWith("ampd "), version.stdout());
      }
    }
    try (Stream<Path> files = Files.list(cds)) {
      List<String> names = files.map(f -> f.getFileName().toString()).toList();
      assertEquals(1, names.size(), names.toString());
      assertTrue(names.get(0).endsWith(".jsa"), names.toString());
    }

    // A rebuild that rewrites a library but not ampd.jar (the build re-zips DuckDB's jar): the JVM
    // would refuse the archive, warn on stdout and start without it, at every start. The next
    // solo records a new one instead, quietly, and the stale one goes.
    try (Stream<Path> jars = Files.list(jar.getParent().resolve("lib"))) {
      Path library = jars.filter(j -> j.toString().endsWith(".jar")).findFirst().orElseThrow();
      Files.setLastModifiedTime(library, FileTime.fromMillis(System.currentTimeMillis()));
    }
    try (AmpdProcess solo = startSolo(AmpdProcess.freePort())) {
      solo.signal("TERM");
      assertEquals(0, solo.waitFor(START), solo.stderr());
      assertFalse(solo.stdout().contains("warning"), solo.stdout());
    }
    try (Stream<Path> files = Files.list(cds)) {
      List<String> names = files.map(f -> f.getFileName().toString()).toList();
      assertEquals(1, names.size(), names.toString());
      assertTrue(names.get(0).contains(".jsa.tmp."), names.toString());
    }
  }

  @Test
  void aRebuildWhileAmpdRunsDoesNotBreakIt() throws Exception {
    int port = AmpdProcess.freePort();
    try (AmpdProcess solo = startSolo(port)) {
      // What a rebuild does to the jar: rewritten in place, here with something else entirely.
      Files.write(jar, new byte[] {'P', 'K', 5, 6});
      // Classes not loaded yet: the OpenAPI route, a provider's validation, then shutdown.
      assertEquals(200, AmpdProcess.get(port, "/openapi.json").status());
      assertEquals(404, AmpdProcess.get(port, "/providers/none").status());
      solo.signal("TERM");
      assertEquals(0, solo.waitFor(START), solo.stderr());
      String output = solo.stdout() + solo.stderr();
      assertFalse(output.contains("Exception") || output.contains("Error:"), output);
    }
  }
}
