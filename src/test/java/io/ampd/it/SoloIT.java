package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.PgUrl;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ampd solo} as a process, with its managed PostgreSQL. */
class SoloIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration STOP = Duration.ofSeconds(30);

  private Path base;
  private final List<AmpdProcess> processes = new ArrayList<>();
  private final List<Long> extraPids = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    base = TempDirs.create("ampd-it-solo");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AmpdProcess p : processes) {
      p.close();
    }
    for (long pid : extraPids) {
      AmpdProcess.kill("KILL", pid);
    }
    TempDirs.deleteRecursively(base);
  }

  private AmpdProcess solo(Path ampDir, int port, Map<String, String> extraEnv) throws Exception {
    Map<String, String> env = AmpdProcess.envWithAdminPort(port);
    env.putAll(extraEnv);
    AmpdProcess p = AmpdProcess.start(base, env, "--amp-dir", ampDir.toString(), "solo");
    processes.add(p);
    return p;
  }

  private AmpdProcess solo(Path ampDir, int port) throws Exception {
    return solo(ampDir, port, Map.of());
  }

  private static void stop(AmpdProcess p) throws Exception {
    p.signal("TERM");
    assertEquals(0, p.waitFor(STOP), p.stderr());
  }

  /**
   * The native libraries are loaded from beside the jar, where the build puts them, so nothing is
   * written to the temp dir at start (a JVM killed outright could not remove it).
   */
  @Test
  void nativeLibrariesLoadFromBesideTheJar() throws Exception {
    Path ampDir = base.resolve(".amp");
    int port = AmpdProcess.freePort();
    Map<String, String> env = AmpdProcess.envWithAdminPort(port);
    AmpdProcess p = solo(ampDir, port, env);
    p.awaitHealthy(port, START);
    java.net.http.HttpResponse<String> answer =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://" + env.get("AMP_CONFIG_JSONL_ADDR") + "/"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("SELECT 1 AS one"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, answer.statusCode(), answer.body());
    String maps = Files.readString(Path.of("/proc/" + p.pid() + "/maps"));
    Path lib = Path.of(System.getProperty("ampd.jar")).toAbsolutePath().resolveSibling("lib");
    assertTrue(maps.contains(lib.resolve("libjunixsocket-native.so").toString()), maps);
    assertTrue(maps.contains(lib.resolve("libduckdb_java.so_linux_amd64").toString()), maps);
    assertFalse(
        maps.contains("junixsocket-native-"), "junixsocket unpacked its own copy:\n" + maps);
    stop(p);
  }

  @Test
  void firstRunCreatesEverythingAndStopsCleanly() throws Exception {
    Path ampDir = base.resolve(".amp");
    int port = AmpdProcess.freePort();
    AmpdProcess p = solo(ampDir, port);
    AmpdProcess.HttpResult health = p.awaitHealthy(port, START);
    assertTrue(
        health.body().contains("\"schema_version\":" + io.ampd.metadb.Migrations.LATEST_VERSION),
        health.body());
    assertTrue(health.body().contains("\"managed\":true"), health.body());

    for (String sub : List.of("data", "providers", "manifests", "metadb")) {
      assertTrue(Files.isDirectory(ampDir.resolve(sub)), sub);
    }
    assertTrue(Files.isRegularFile(ampDir.resolve("metadb/PG_VERSION")));
    assertTrue(Files.isRegularFile(ampDir.resolve("ampd.lock")));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(ampDir.resolve("metadb"))));

    long postmaster = Postmaster.pid(ampDir.resolve("metadb"));
    assertTrue(Postmaster.alive(postmaster));
    List<String> listening = Postmaster.listeningTcpInodes();
    for (String inode : Postmaster.socketInodes(postmaster)) {
      assertFalse(
          listening.contains(inode), "postmaster listens on TCP (socket inode " + inode + ")");
    }
    try (Connection c = Postmaster.connect(ampDir.resolve("metadb"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(version::int) FROM _amp_migrations")) {
      assertTrue(rs.next());
      assertEquals(io.ampd.metadb.Migrations.LATEST_VERSION, rs.getInt(1));
    }

    List<ProcessHandle> family = new ArrayList<>();
    ProcessHandle.of(p.pid()).orElseThrow().descendants().forEach(family::add);
    assertFalse(family.isEmpty());
    stop(p);
    assertTrue(Postmaster.awaitGone(postmaster, Duration.ofSeconds(5)));
    for (ProcessHandle h : family) {
      assertFalse(Postmaster.alive(h.pid()), "left running: " + h.pid() + " " + h.info());
    }
    assertTrue(Postmaster.pidFile(ampDir.resolve("metadb")).isEmpty(), "postmaster.pid left");
    assertTrue(p.stderr().contains("database system is shut down"), p.stderr());
    assertFalse(p.stderr().contains("Exception"), p.stderr());
  }

  @Test
  void secondRunReusesTheClusterAndKeepsData() throws Exception {
    Path ampDir = base.resolve(".amp");
    int port = AmpdProcess.freePort();
    AmpdProcess first = solo(ampDir, port);
    first.awaitHealthy(port, START);
    try (Connection c = Postmaster.connect(ampDir.resolve("metadb"));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (v text)");
      s.execute("INSERT INTO kept VALUES ('still here')");
    }
    stop(first);

    AmpdProcess second = solo(ampDir, port);
    second.awaitHealthy(port, START);
    assertFalse(second.stderr().contains("initdb"), second.stderr());
    try (Connection c = Postmaster.connect(ampDir.resolve("metadb"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertTrue(rs.next());
      assertEquals("still here", rs.getString(1));
    }
    stop(second);
  }

  @Test
  void takenAdminPortExitsWithItsErrorBeforeAnythingIsCreated() throws Exception {
    Path ampDir = base.resolve(".amp");
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      AmpdProcess p = solo(ampDir, port);
      assertEquals(1, p.waitFor(STOP), p.stderr());
      assertTrue(
          p.stderr().contains("error: cannot listen on 127.0.0.1:" + port + " for the admin API"),
          p.stderr());
      assertTrue(p.stderr().contains("hint: stop the process using that address"), p.stderr());
      assertFalse(p.stderr().contains("Exception"), p.stderr());
      // Every address is checked first: no amp dir, no cluster, no PostgreSQL.
      assertFalse(Files.exists(ampDir), "the amp dir was created");
      assertFalse(p.stderr().contains("PostgreSQL"), p.stderr());
    }
  }

  @Test
  void secondSoloOnTheSameDirExitsAndTheFirstKeepsServing() throws Exception {
    Path ampDir = base.resolve(".amp");
    int port = AmpdProcess.freePort();
    AmpdProcess first = solo(ampDir, port);
    first.awaitHealthy(port, START);
    long postmaster = Postmaster.pid(ampDir.resolve("metadb"));

    AmpdProcess second = solo(ampDir, AmpdProcess.freePort());
    assertEquals(1, second.waitFor(STOP), second.stderr());
    assertTrue(
        second
            .stderr()
            .contains("error: another ampd solo (pid " + first.pid() + ") is running on " + ampDir),
        second.stderr());
    assertTrue(second.stderr().contains("hint: "), second.stderr());

    assertEquals(200, AmpdProcess.get(port, "/healthz").status());
    assertEquals(postmaster, Postmaster.pid(ampDir.resolve("metadb")));
    stop(first);
  }

  @Test
  void stuckClientsNeitherStarveTheAdminApiNorHoldItForEver() throws Exception {
    Path ampDir = base.resolve(".amp");
    int port = AmpdProcess.freePort();
    AmpdProcess p = solo(ampDir, port);
    p.awaitHealthy(port, START);
    List<Socket> stuck = new ArrayList<>();
    try {
      // Each sends its headers and half its body, then nothing: each holds a handler thread.
      for (int i = 0; i < 8; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        stuck.add(s);
        s.getOutputStream()
            .write(
                ("POST /providers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                        + "\r\nContent-Length: 100\r\n\r\n{\"name\":")
                    .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
      }
      // Give the server time to hand all of them to handler threads (it takes them in any order).
      Thread.sleep(1000);
      // Others are still served (get gives up after 5 s)...
      AmpdProcess.HttpResult health = AmpdProcess.get(port, "/healthz");
      assertEquals(200, health.status(), health.body());
      // ...and the server cuts the stuck ones off after its request time limit (10 s).
      Socket first = stuck.get(0);
      first.setSoTimeout(30_000);
      int read;
      try {
        read = first.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }
      assertEquals(-1, read, "the server answered a request it never fully received");
    } finally {
      for (Socket s : stuck) {
        s.close();
      }
    }
    stop(p);
  }

  @Test
  void sigkillOfTheJvmLeavesNoPostgresAndTheNextStartWorks() throws Exception {
    Path ampDir = base.resolve(".amp");
    int port = AmpdProcess.freePort();
    AmpdProcess first = solo(ampDir, port);
    first.awaitHealthy(port, START);
    long postmaster = Postmaster.pid(ampDir.resolve("metadb"));
    first.signal("KILL");
    first.waitFor(STOP);
    assertTrue(
        Postmaster.awaitGone(postmaster, Duration.ofSeconds(5)),
        "PostgreSQL " + postmaster + " still running 5 s after the JVM was killed");

    AmpdProcess second = solo(ampDir, port);
    second.awaitHealthy(port, START);
    stop(second);
  }

  @Test
  void sigkillOfThePostmasterIsRecoveredWithoutLosingCommittedRows() throws Exception {
    Path ampDir = base.resolve(".amp");
    Path metadb = ampDir.resolve("metadb");
    int port = AmpdProcess.freePort();
    AmpdProcess p = solo(ampDir, port);
    p.awaitHealthy(port, START);
    try (Connection c = Postmaster.connect(metadb);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE committed (n int)");
      s.execute("INSERT INTO committed SELECT generate_series(1, 1000)");
    }
    long postmaster = Postmaster.pid(metadb);
    AmpdProcess.kill("KILL", postmaster);
    assertTrue(Postmaster.awaitGone(postmaster, Duration.ofSeconds(5)));

    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long restarted = -1;
    while (System.nanoTime() < deadline) {
      var pidFile = Postmaster.pidFile(metadb);
      if (pidFile.isPresent() && pidFile.get().size() >= 8) {
        long pid = Long.parseLong(pidFile.get().get(0).trim());
        if (pid != postmaster && pidFile.get().get(7).trim().equals("ready")) {
          restarted = pid;
          break;
        }
      }
      Thread.sleep(50);
    }
    assertTrue(restarted > 0, "PostgreSQL was not restarted\n" + p.stderr());
    p.awaitHealthy(port, START);
    try (Connection c = Postmaster.connect(metadb);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM committed")) {
      assertTrue(rs.next());
      assertEquals(1000, rs.getInt(1));
    }
    stop(p);
  }

  @Test
  void aMetadataDatabaseThatStopsAnsweringGetsQuickAnswersAndTheWorkerComesBack() throws Exception {
    Path ampDir = base.resolve(".amp");
    Path metadb = ampDir.resolve("metadb");
    int port = AmpdProcess.freePort();
    AmpdProcess p = solo(ampDir, port, Map.of("AMP_CONFIG_METADATA_DB__NETWORK_TIMEOUT_SECS", "2"));
    p.awaitHealthy(port, START);
    // Every PostgreSQL process stopped (SIGSTOP): connections stay open, nothing answers, as
    // with a hung server or a network that drops packets.
    long postmaster = Postmaster.pid(metadb);
    List<Long> postgres = new ArrayList<>(List.of(postmaster));
    ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(d -> postgres.add(d.pid()));
    for (long pid : postgres) {
      AmpdProcess.kill("STOP", pid);
    }
    try {
      // get() gives up after 5 s; the health check waits at most 2 s for the database.
      AmpdProcess.HttpResult health = AmpdProcess.get(port, "/healthz");
      assertEquals(503, health.status(), health.body());
      assertTrue(health.body().contains("\"state\":\"not answering\""), health.body());
      // A route that needs the database: 503 naming it (was: a 500 after 30 s).
      AmpdProcess.HttpResult workers = AmpdProcess.get(port, "/workers", Duration.ofSeconds(20));
      assertEquals(503, workers.status(), workers.body());
      assertTrue(
          workers
              .body()
              .startsWith(
                  "{\"error_code\":\"METADATA_DB_UNAVAILABLE\",\"error_message\":\"metadata"
                      + " database"),
          workers.body());
      // The worker's heartbeat times out after 2 s instead of waiting for ever.
      awaitLog(p, "lost its metadata database session holding the node lock", LOG_WAIT);
    } finally {
      for (long pid : postgres) {
        AmpdProcess.kill("CONT", pid);
      }
    }
    awaitLog(p, "holds its node lock again", LOG_WAIT);
    p.awaitHealthy(port, START);
    AmpdProcess.HttpResult workers = AmpdProcess.get(port, "/workers");
    assertEquals(200, workers.status(), workers.body());
    assertTrue(workers.body().contains("\"live\":true"), workers.body());
    assertTrue(p.isAlive(), p.stderr());
    stop(p);
  }

  private static final Duration LOG_WAIT = Duration.ofSeconds(40);

  private static void awaitLog(AmpdProcess p, String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!p.stderr().contains(text)) {
      assertTrue(System.nanoTime() < deadline, "no '" + text + "' in the log:\n" + p.stderr());
      assertTrue(p.isAlive(), "exited:\n" + p.stderr());
      Thread.sleep(100);
    }
  }

  @Test
  void stalePidFileNamingAnUnrelatedProcessIsNeverSignalled() throws Exception {
    Path ampDir = base.resolve(".amp");
    Path metadb = ampDir.resolve("metadb");
    int port = AmpdProcess.freePort();
    AmpdProcess first = solo(ampDir, port);
    first.awaitHealthy(port, START);
    List<String> lines = Postmaster.pidFile(metadb).orElseThrow();
    stop(first);

    Process sleeper = new ProcessBuilder("sleep", "300").start();
    extraPids.add(sleeper.pid());
    List<String> stale = new ArrayList<>(lines);
    stale.set(0, Long.toString(sleeper.pid()));
    Files.write(metadb.resolve("postmaster.pid"), stale);

    AmpdProcess second = solo(ampDir, port);
    second.awaitHealthy(port, START);
    assertTrue(sleeper.isAlive(), "the unrelated process was signalled");
    stop(second);
    assertTrue(sleeper.isAlive(), "the unrelated process was signalled");
  }

  @Test
  void ampDirTooLongForASocketPathWorks() throws Exception {
    Path ampDir = base;
    while (ampDir.toString().length() < 120) {
      ampDir = ampDir.resolve("a-rather-long-directory-name");
    }
    ampDir = ampDir.resolve(".amp");
    int port = AmpdProcess.freePort();
    AmpdProcess p = solo(ampDir, port);
    p.awaitHealthy(port, START);
    Path socketDir = Postmaster.socketDir(ampDir.resolve("metadb"));
    assertTrue(socketDir.resolve(".s.PGSQL.5432").toString().length() <= 107, socketDir.toString());
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketDir)));
    stop(p);
  }

  @Test
  void externalUrlMeansNoManagedPostgres() throws Exception {
    Path ampDir = base.resolve(".amp");
    int port = AmpdProcess.freePort();
    PgUrl url = TestPostgres.shared().createDatabase("solo_external");
    Map<String, String> env = new HashMap<>();
    env.put("AMP_CONFIG_METADATA_DB__URL", url.psqlUrl());
    AmpdProcess p = solo(ampDir, port, env);
    AmpdProcess.HttpResult health = p.awaitHealthy(port, START);
    assertTrue(health.body().contains("\"managed\":false"), health.body());
    assertTrue(
        health.body().contains("\"schema_version\":" + io.ampd.metadb.Migrations.LATEST_VERSION),
        health.body());
    assertFalse(Files.exists(ampDir.resolve("metadb")), "metadb/ was created");
    assertTrue(p.stderr().contains(url.redacted()), p.stderr());
    stop(p);
  }
}
