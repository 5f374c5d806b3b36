package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.testing.TempDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The release archive as a user installs it: unpacked into an empty directory (not where it was
 * built), run with no Java on {@code PATH} and no {@code JAVA_HOME}: {@code ampd solo} starts on
 * the runtime inside and the PostgreSQL unpacked inside (nothing unpacked at start), maps the
 * class-data archive made at build time, answers a query, and stops on SIGTERM with exit 0; the man
 * pages and the completion script are there.
 */
class ReleaseArchiveIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  private Path base;
  private AmpdProcess solo;

  @BeforeEach
  void setUp() throws IOException {
    base = TempDirs.create("ampd-it-release");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (solo != null) {
      solo.close();
    }
    TempDirs.deleteRecursively(base);
  }

  private static Path archive() throws IOException {
    Path target = Path.of(System.getProperty("ampd.jar")).getParent();
    try (Stream<Path> s = Files.list(target)) {
      List<Path> found =
          s.filter(p -> p.getFileName().toString().matches("ampd-.+-.+-.+\\.tar\\.gz")).toList();
      assertEquals(1, found.size(), "release archives in " + target + ": " + found);
      return found.get(0);
    }
  }

  private static int runtimeMajor(Path root) throws IOException {
    for (String line : Files.readAllLines(root.resolve("runtime/release"))) {
      if (line.startsWith("JAVA_VERSION=\"")) {
        return Integer.parseInt(line.substring(14).split("[^0-9]")[0]);
      }
    }
    throw new AssertionError("runtime/release names no JAVA_VERSION");
  }

  @Test
  void unpackedIntoAnEmptyDirectoryItRunsSoloWithoutAJdk() throws Exception {
    Path tarball = archive();
    String name = tarball.getFileName().toString().replace(".tar.gz", "");
    assertTrue(
        name.matches("ampd-[0-9][^-]*-(linux|darwin)-(x86_64|aarch64)"), "archive name " + name);
    Path install = Files.createDirectories(base.resolve("opt"));
    Process tar =
        new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", install.toString())
            .redirectErrorStream(true)
            .start();
    assertTrue(tar.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(0, tar.exitValue(), new String(tar.getInputStream().readAllBytes()));
    Path root = install.resolve(name);
    for (String f :
        List.of(
            "bin/ampd",
            "runtime/bin/java",
            "share/ampd/ampd.jar",
            "share/man/man1/ampd.1",
            "share/man/man1/ampd-solo.1",
            "share/bash-completion/completions/ampd",
            "README.md",
            "LICENSE")) {
      assertTrue(Files.exists(root.resolve(f)), f + " is missing from the archive");
    }
    // The build takes the newest JDK it finds for the runtime; from JDK 20 on it ships class data
    // of a real start (older JDKs cannot map it once the directory has moved).
    int runtime = runtimeMajor(root);
    boolean classData = runtime >= 20;
    assertEquals(
        classData, Files.exists(root.resolve("share/ampd/ampd.jsa")), "runtime " + runtime);
    assertTrue(Files.readString(root.resolve("share/man/man1/ampd-solo.1")).contains(".TH"));
    assertTrue(
        Files.readString(root.resolve("share/bash-completion/completions/ampd"))
            .contains("complete -F"));

    // A PATH with a shell and readlink only: no java, no JDK tools.
    Path bin = Files.createDirectories(base.resolve("bin"));
    for (String tool : List.of("bash", "readlink", "env")) {
      Path real =
          Stream.of("/bin/", "/usr/bin/")
              .map(d -> Path.of(d + tool))
              .filter(Files::isExecutable)
              .findFirst()
              .orElseThrow();
      Files.createSymbolicLink(bin.resolve(tool), real);
    }
    assertFalse(Files.exists(bin.resolve("java")));
    Path work = Files.createDirectories(base.resolve("work"));
    int admin = AmpdProcess.freePort();
    Map<String, String> env = new HashMap<>(AmpdProcess.envWithAdminPort(admin));
    env.put("PATH", bin.toString());
    env.put("JAVA_HOME", "");
    env.put("HOME", work.toString());
    // the PostgreSQL shipped unpacked in the archive, even where the machine has its own
    env.put("AMP_CONFIG_METADATA_DB__MANAGED__BIN_DIR", "bundled");
    Path cdsLog = base.resolve("cds.log");
    env.put("AMPD_JAVA_OPTS", "-Xlog:cds=info:file=" + cdsLog);
    solo =
        AmpdProcess.startCommand(work, env, List.of(root.resolve("bin/ampd").toString(), "solo"));
    solo.awaitHealthy(admin, WAIT);
    assertTrue(
        solo.stderr().contains("from " + root.resolve("share/ampd/postgres/bin")),
        "not the PostgreSQL shipped in the archive:\n" + solo.stderr());
    assertFalse(solo.stderr().contains("Unpacking"), solo.stderr());

    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + env.get("AMP_CONFIG_JSONL_ADDR") + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString("SELECT 42 AS answer"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, answer.statusCode(), answer.body());
    assertEquals("{\"answer\":42}", answer.body().trim());

    solo.signal("TERM");
    assertEquals(0, solo.waitFor(WAIT), solo.stderr());
    String cds = Files.readString(cdsLog);
    assertTrue(
        cds.contains("dynamic region"), "the build's class-data archive was not mapped:\n" + cds);
    assertFalse(solo.stdout().contains("warning"), solo.stdout());
    assertFalse(solo.stderr().contains("WARNING"), solo.stderr());
    assertFalse(solo.stderr().contains("Exception"), solo.stderr());
  }
}
