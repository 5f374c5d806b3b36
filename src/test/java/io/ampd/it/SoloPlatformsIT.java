package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Solo on the system binaries and on the bundled ones, as root (PostgreSQL then runs as an
 * unprivileged user) and as an ordinary user. "Bundled" hides every system PostgreSQL from the
 * process in a private mount namespace (tmpfs over the install dirs), so the search really finds
 * none; this needs root, which the tests and CI have.
 */
class SoloPlatformsIT {
  /** Where PostgreSQL installs live on Linux; hidden for the bundled runs. */
  private static final List<String> SYSTEM_DIRS =
      List.of(
          "/usr/lib/postgresql",
          "/usr/local/bin",
          "/usr/pgsql-13",
          "/usr/pgsql-14",
          "/usr/pgsql-15",
          "/usr/pgsql-16",
          "/usr/pgsql-17",
          "/usr/pgsql-18");

  private Path base;
  private final List<AmpdProcess> processes = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    base = TempDirs.create("ampd-it-platforms");
  }

  @AfterEach
  void tearDown() throws IOException {
    processes.forEach(AmpdProcess::close);
    TempDirs.deleteRecursively(base);
  }

  @ParameterizedTest(name = "{0} binaries as {1}")
  @CsvSource({"system, root", "bundled, root", "system, user", "bundled, user"})
  void soloStartsServesAndStops(String binaries, String user) throws Exception {
    boolean bundled = binaries.equals("bundled");
    boolean asUser = user.equals("user");
    List<String> java = AmpdProcess.javaCommand();
    if (asUser) {
      java.set(java.size() - 1, copyDistribution().toString());
    }
    Path ampDir = base.resolve("amp");
    Files.createDirectories(ampDir);
    Path home = base.resolve("home");
    Files.createDirectories(home);
    if (asUser) {
      chown(ampDir, home);
    }
    int port = AmpdProcess.freePort();

    StringBuilder script = new StringBuilder("set -e\n");
    if (bundled) {
      for (String dir : SYSTEM_DIRS) {
        script
            .append("if [ -d ")
            .append(dir)
            .append(" ]; then mount -t tmpfs none ")
            .append(dir)
            .append("; fi\n");
      }
      script.append(
          "if command -v postgres >/dev/null; then echo 'postgres still visible'; exit 99; fi\n");
    }
    script.append("exec ");
    if (asUser) {
      script.append("setpriv --reuid=65534 --regid=65534 --clear-groups -- ");
    }
    script.append("\"$@\"\n");
    List<String> command = new ArrayList<>();
    if (bundled) {
      command.addAll(List.of("unshare", "--mount", "--propagation", "private", "--"));
    }
    command.addAll(List.of("sh", "-c", script.toString(), "sh"));
    command.addAll(java);
    command.addAll(List.of("--amp-dir", ampDir.toString(), "solo"));

    Map<String, String> env = AmpdProcess.envWithAdminPort(port);
    env.put("HOME", home.toString());
    env.put("PATH", bundled ? "/usr/bin:/bin" : System.getenv("PATH"));
    AmpdProcess p = AmpdProcess.startCommand(base, env, command);
    processes.add(p);
    p.awaitHealthy(port, Duration.ofSeconds(120));

    String log = p.stderr();
    String pgVersion = Files.readString(ampDir.resolve("metadb/PG_VERSION")).trim();
    if (bundled) {
      assertTrue(log.contains("bundled"), log);
      assertEquals("18", pgVersion);
    } else {
      assertFalse(log.contains("bundled"), log);
    }
    long postmaster = Postmaster.pid(ampDir.resolve("metadb"));
    String owner = Files.getOwner(ampDir.resolve("metadb")).getName();
    assertFalse(owner.equals("root"), "metadb owned by root");
    if (asUser) {
      assertEquals("nobody", owner);
    }
    p.signal("TERM");
    assertEquals(0, p.waitFor(Duration.ofSeconds(30)), log);
    assertTrue(Postmaster.awaitGone(postmaster, Duration.ofSeconds(5)));
  }

  private Path copyDistribution() throws IOException {
    Path jar = Path.of(System.getProperty("ampd.jar"));
    Path dist = base.resolve("dist");
    Files.createDirectories(dist.resolve("lib"));
    Files.copy(jar, dist.resolve("ampd.jar"), StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> libs = Files.list(jar.resolveSibling("lib"))) {
      for (Path lib : (Iterable<Path>) libs::iterator) {
        Files.copy(lib, dist.resolve("lib").resolve(lib.getFileName()));
      }
    }
    return dist.resolve("ampd.jar");
  }

  private static void chown(Path... dirs) throws IOException, InterruptedException {
    for (Path dir : dirs) {
      Process p = new ProcessBuilder("chown", "-R", "65534:65534", dir.toString()).start();
      assertEquals(0, p.waitFor());
    }
  }
}
