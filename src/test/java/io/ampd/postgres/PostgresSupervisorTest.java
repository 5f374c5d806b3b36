package io.ampd.postgres;

import static io.ampd.postgres.PgTestSupport.awaitGone;
import static io.ampd.postgres.PgTestSupport.query;
import static io.ampd.postgres.PgTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ampd.core.AmpdException;
import io.ampd.testing.ManualClock;
import io.ampd.testing.TempDirs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The supervisor against real PostgreSQL. One cluster made in {@link #initCluster()} serves the
 * tests that need an existing cluster; each of them starts and closes its own supervisor on it.
 */
class PostgresSupervisorTest {
  private static Path root;
  private static Path cluster;

  @BeforeAll
  static void initCluster() {
    root = TempDirs.create("pgsup");
    cluster = root.resolve("metadb");
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
      assertEquals(PostgresSupervisor.State.READY, s.state());
    }
  }

  @AfterAll
  static void removeCluster() {
    TempDirs.deleteRecursively(root);
  }

  private static PostgresSupervisor.Listener listener() {
    return new PostgresSupervisor.Listener() {};
  }

  @Test
  void firstStartCreatesTheClusterAndDatabaseAmpAndCloseShutsDownCleanly() throws Exception {
    Path data = TempDirs.create("pgfirst").resolve("metadb");
    ListAppender<ILoggingEvent> log = PgTestSupport.capturePostgresLog();
    long pid;
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(data), listener())) {
      pid = s.pid();
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
      assertEquals("15", Files.readString(data.resolve("PG_VERSION")).trim());
      assertTrue(s.version().startsWith("15."), s.version());
      assertEquals("amp", s.url().database());
      assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
      assertEquals(List.of("on"), query(s.url(), "SHOW fsync"));
      assertEquals(List.of("on"), query(s.url(), "SHOW synchronous_commit"));
      assertEquals(List.of(""), query(s.url(), "SHOW listen_addresses"));
      assertEquals(List.of("UTF8"), query(s.url(), "SHOW server_encoding"));
      assertFalse(Files.exists(data.getParent().resolve(".metadb.initdb")));
      // amp is initdb's database renamed; postgres, for tools, is made again beside the start.
      s.awaitToolsDatabase();
      assertEquals(
          List.of("amp:", "postgres:default administrative connection database"),
          query(
              s.url(),
              "SELECT datname || ':' || coalesce(shobj_description(oid, 'pg_database'), '')"
                  + " FROM pg_database WHERE NOT datistemplate ORDER BY datname"));
      // Renamed, not created: initdb gives its database postgres the fixed OID 5 (since 15).
      assertEquals(
          List.of("5"), query(s.url(), "SELECT oid FROM pg_database WHERE datname = 'amp'"));
      s.close();
      assertEquals(PostgresSupervisor.State.STOPPED, s.state());
      s.close();
    } finally {
      PgTestSupport.release(log);
    }
    assertTrue(awaitGone(pid, Duration.ZERO));
    assertFalse(Files.exists(data.resolve("postmaster.pid")));
    assertTrue(PgTestSupport.logged(log, "database system is shut down"));
  }

  @Test
  void aMissingToolsDatabaseIsMadeAgainAtTheNextStart() throws Exception {
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
      s.awaitToolsDatabase();
      query(s.url(), "DROP DATABASE postgres");
      assertEquals(List.of("0"), query(s.url(), databasesNamed("postgres")));
    }
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
      assertEquals(PostgresSupervisor.State.READY, s.state());
      s.awaitToolsDatabase();
      assertEquals(List.of("1"), query(s.url(), databasesNamed("postgres")));
      assertEquals(List.of("1"), query(s.url(), databasesNamed("amp")));
    }
  }

  private static String databasesNamed(String name) {
    return "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'";
  }

  @Test
  void secondStartReusesTheClusterAndItsRows() throws Exception {
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
      query(s.url(), "CREATE TABLE IF NOT EXISTS kept (v int)");
      query(s.url(), "INSERT INTO kept VALUES (1)");
    }
    ListAppender<ILoggingEvent> log = PgTestSupport.capturePostgresLog();
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
      assertFalse(query(s.url(), "SELECT count(*) FROM kept").get(0).equals("0"));
      assertFalse(PgTestSupport.logged(log, "initdb:"));
    } finally {
      PgTestSupport.release(log);
    }
  }

  @Test
  void opensNoTcpPort() throws Exception {
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
      Set<String> listening = new HashSet<>();
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && f[3].equals("0A")) {
            listening.add(f[9]);
          }
        }
      }
      List<String> postmasterSockets = new ArrayList<>();
      try (Stream<Path> fds = Files.list(Path.of("/proc/" + s.pid() + "/fd"))) {
        for (Path fd : (Iterable<Path>) fds::iterator) {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            postmasterSockets.add(target.substring(8, target.length() - 1));
          }
        }
      }
      assertFalse(postmasterSockets.isEmpty());
      for (String inode : postmasterSockets) {
        assertFalse(listening.contains(inode), "postmaster listens on TCP, socket inode " + inode);
      }
      assertTrue(Files.exists(s.socketDir().resolve(".s.PGSQL.5432")));
      assertEquals(cluster, s.socketDir());
    }
  }

  @Test
  void staleLockFileNamingAnUnrelatedLiveProcessIsNotSignalled() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(
          cluster.resolve("postmaster.pid"), sleep.pid() + "\n" + cluster + "\n1\n5432\n");
      try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
        assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
      }
      assertTrue(sleep.isAlive());
    } finally {
      PgTestSupport.kill(sleep);
    }
  }

  @Test
  void lockFileNamingAZombieCountsAsDead() throws Exception {
    // sh starts a child that exits at once, then becomes 'sleep', which never reaps it.
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 60").start();
    try {
      long zombie =
          Long.parseLong(
              new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine().trim());
      assertTrue(awaitGone(zombie, Duration.ofSeconds(5)));
      assertTrue(Files.exists(Path.of("/proc/" + zombie)), "expected a zombie");
      Files.writeString(cluster.resolve("postmaster.pid"), zombie + "\n" + cluster + "\n");
      try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
        assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
      }
    } finally {
      PgTestSupport.kill(parent);
    }
  }

  @Test
  void orphanPostmasterOfThisDataDirIsStopped() throws Exception {
    Process orphan = startRawPostgres(cluster);
    try {
      awaitReady(cluster, orphan.pid());
      try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener())) {
        assertTrue(orphan.waitFor(1, TimeUnit.SECONDS), "orphan still running");
        assertNotEquals(orphan.pid(), s.pid());
        assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
      }
    } finally {
      PgTestSupport.kill(orphan);
    }
  }

  @Test
  void interruptedInitdbIsRetried() throws Exception {
    Path parent = TempDirs.create("pginterrupted");
    Path data = parent.resolve("metadb");
    Files.createDirectories(data.resolve("global"));
    Files.createDirectories(data.resolve("base/1"));
    Files.writeString(data.resolve("postgresql.conf"), "# half written\n");
    Files.createDirectories(parent.resolve(".metadb.initdb/base"));
    Files.writeString(parent.resolve(".metadb.initdb/PG_VERSION"), "15\n");
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(data), listener())) {
      assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
    }
    assertFalse(Files.exists(parent.resolve(".metadb.initdb")));
  }

  @Test
  void dataDirWithForeignFilesAndNoPgVersionIsRefused() throws Exception {
    Path data = TempDirs.create("pgforeign").resolve("metadb");
    Files.createDirectories(data);
    Files.writeString(data.resolve("notes.txt"), "mine\n");
    AmpdException e =
        assertThrows(
            AmpdException.class, () -> PostgresSupervisor.start(settings(data), listener()));
    assertTrue(
        e.getMessage().contains("holds files PostgreSQL did not write: notes.txt"), e.getMessage());
    assertTrue(Files.exists(data.resolve("notes.txt")));
  }

  @Test
  void tooLongPathPutsTheSocketInAPrivateDirElsewhere() throws Exception {
    Path deep = root.resolve("d".repeat(60)).resolve("e".repeat(60));
    Files.createDirectories(deep);
    for (Path p = deep; !p.equals(root); p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path moved = deep.resolve("metadb");
    Files.move(cluster, moved);
    try {
      Path socketDir;
      try (PostgresSupervisor s = PostgresSupervisor.start(settings(moved), listener())) {
        socketDir = s.socketDir();
        assertFalse(socketDir.startsWith(moved), socketDir.toString());
        assertEquals(
            "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketDir)));
        assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
        assertTrue(s.url().toString().contains(socketDir.toString()), s.url().toString());
      }
      assertFalse(Files.exists(socketDir), "fallback socket dir is removed on close");
    } finally {
      Files.move(moved, cluster);
    }
  }

  @Test
  void killedPostmasterIsRestartedAndCommittedRowsSurvive() throws Exception {
    List<PostgresSupervisor.State> states = new CopyOnWriteArrayList<>();
    PostgresSupervisor.Listener recording =
        new PostgresSupervisor.Listener() {
          @Override
          public void onStateChange(PostgresSupervisor.State state) {
            states.add(state);
          }
        };
    try (PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), recording)) {
      query(s.url(), "CREATE TABLE IF NOT EXISTS crash (v text)");
      query(s.url(), "INSERT INTO crash VALUES ('committed')");
      long first = s.pid();
      new ProcessBuilder("kill", "-KILL", Long.toString(first)).start().waitFor();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while ((s.pid() == first || s.state() != PostgresSupervisor.State.READY)
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(PostgresSupervisor.State.READY, s.state());
      assertNotEquals(first, s.pid());
      assertTrue(states.contains(PostgresSupervisor.State.RESTARTING), states.toString());
      assertTrue(query(s.url(), "SELECT v FROM crash").contains("committed"));
    }
  }

  @Test
  void clusterOfAnotherMajorVersionNeedsItsBinaries() throws Exception {
    Path data = TempDirs.create("pgmajor").resolve("metadb");
    Files.createDirectories(data);
    Files.writeString(data.resolve("PG_VERSION"), "14\n");
    AmpdException e =
        assertThrows(
            AmpdException.class, () -> PostgresSupervisor.start(settings(data), listener()));
    assertTrue(
        e.getMessage()
            .startsWith(
                "cluster "
                    + data
                    + " is PostgreSQL 14 but no PostgreSQL 14"
                    + " binaries were found; found: 15."),
        e.getMessage());
    assertTrue(e.getMessage().contains("(bundled)"), e.getMessage());
    assertTrue(e.hint().startsWith("install PostgreSQL 14"), e.hint());
  }

  @Test
  void sigkillOfTheJvmTakesPostgresDown() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                SupervisorChild.class.getName(),
                cluster.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long postmaster = -1;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("pid ")) {
        // skip log lines
      }
      assertTrue(line != null, "child JVM printed no pid");
      postmaster = Long.parseLong(line.substring(4).trim());
      assertTrue(new ProcFs(Path.of("/proc")).isAlive(postmaster));
      child.destroyForcibly();
      child.waitFor(5, TimeUnit.SECONDS);
      assertTrue(awaitGone(postmaster, Duration.ofSeconds(5)), "postgres outlived its JVM");
    } finally {
      PgTestSupport.kill(child);
      if (postmaster > 0 && !awaitGone(postmaster, Duration.ZERO)) {
        Signals.send(postmaster, "KILL");
      }
    }
  }

  /** The thread that restarts PostgreSQL and waits out the backoff on the clock. */
  private static final String MONITOR = "postgres-monitor";

  @Test
  void restartsBackOffOnTheClockAndFiveFailuresWithinAMinuteGiveUp() throws Exception {
    Path autoConf = cluster.resolve("postgresql.auto.conf");
    String original = Files.readString(autoConf);
    ManualClock clock = new ManualClock();
    CompletableFuture<AmpdException> fatal = new CompletableFuture<>();
    ListAppender<ILoggingEvent> log = captureSupervisorLog();
    try (PostgresSupervisor s =
        PostgresSupervisor.start(settings(cluster), fatalTo(fatal), clock)) {
      Files.writeString(autoConf, original + "shared_buffers = 'bogus'\n");
      long first = s.pid();
      Signals.send(first, "KILL");
      clock.awaitWaiting(MONITOR);
      // The clock stands still: the backoff is not over, so no new postmaster was started.
      assertEquals(List.of(100L), backoffs(log));
      assertEquals(first, s.pid());
      assertEquals(PostgresSupervisor.State.RESTARTING, s.state());
      clock.step(MONITOR); // 100 ms on: a start, which fails (bad setting), and the next backoff
      assertNotEquals(first, s.pid());
      clock.step(MONITOR);
      clock.step(MONITOR);
      assertEquals(List.of(100L, 500L, 1000L, 2000L), backoffs(log));
      assertFalse(fatal.isDone());
      clock.advance(Duration.ofSeconds(2)); // the fifth failure, 3.6 s after the first

      AmpdException e = fatal.get(30, TimeUnit.SECONDS);
      assertTrue(e.getMessage().contains("keeps dying: 5 failures within 60 s"), e.getMessage());
      assertTrue(e.getMessage().contains("shared_buffers"), e.getMessage());
      assertEquals(PostgresSupervisor.State.FAILED, s.state());
      assertEquals(List.of(100L, 500L, 1000L, 2000L), backoffs(log));
    } finally {
      Files.writeString(autoConf, original);
      releaseSupervisorLog(log);
    }
  }

  @Test
  void failuresMoreThanAMinuteApartNeverGiveUp() throws Exception {
    Path autoConf = cluster.resolve("postgresql.auto.conf");
    String original = Files.readString(autoConf);
    ManualClock clock = new ManualClock();
    CompletableFuture<AmpdException> fatal = new CompletableFuture<>();
    ListAppender<ILoggingEvent> log = captureSupervisorLog();
    try (PostgresSupervisor s =
        PostgresSupervisor.start(settings(cluster), fatalTo(fatal), clock)) {
      Files.writeString(autoConf, original + "shared_buffers = 'bogus'\n");
      Signals.send(s.pid(), "KILL");
      clock.awaitWaiting(MONITOR);
      // Six failures, each 61 s after the one before: never five within a minute.
      for (int failure = 2; failure <= 6; failure++) {
        advanceToNextWait(clock, Duration.ofSeconds(61), fatal);
        assertFalse(fatal.isDone(), "gave up at failure " + failure);
        assertEquals(PostgresSupervisor.State.RESTARTING, s.state());
      }
      // The backoff grows per failure in a row, up to 4 s, whatever the window.
      assertEquals(List.of(100L, 500L, 1000L, 2000L, 4000L, 4000L), backoffs(log));
      Files.writeString(autoConf, original);
      clock.advance(Duration.ofSeconds(61));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (s.state() != PostgresSupervisor.State.READY && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(PostgresSupervisor.State.READY, s.state());
      assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
      assertFalse(fatal.isDone());
    } finally {
      Files.writeString(autoConf, original);
      releaseSupervisorLog(log);
    }
  }

  private static PostgresSupervisor.Listener fatalTo(CompletableFuture<AmpdException> fatal) {
    return new PostgresSupervisor.Listener() {
      @Override
      public void onFatal(AmpdException error) {
        fatal.complete(error);
      }
    };
  }

  /**
   * Moves the clock on by {@code d} while the monitor waits out a backoff, and returns once it
   * waits out the next one (the restart in between failed).
   */
  private static void advanceToNextWait(
      ManualClock clock, Duration d, CompletableFuture<AmpdException> fatal) throws Exception {
    clock.awaitWaiting(MONITOR);
    long before = clock.waitsBegun(MONITOR);
    clock.advance(d);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (clock.waitsBegun(MONITOR) == before && System.nanoTime() < deadline) {
      if (fatal.isDone()) {
        throw new AssertionError("the supervisor gave up: " + fatal.get().getMessage());
      }
      Thread.sleep(5);
    }
    assertNotEquals(before, clock.waitsBegun(MONITOR), "the restart did not fail and wait again");
    clock.awaitWaiting(MONITOR);
  }

  /** The backoffs the supervisor announced, in milliseconds, in order. */
  private static List<Long> backoffs(ListAppender<ILoggingEvent> log) {
    synchronized (log.list) {
      return log.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.startsWith("Restarting PostgreSQL in "))
          .map(m -> Long.parseLong(m.replaceAll("\\D", "")))
          .toList();
    }
  }

  private static ListAppender<ILoggingEvent> captureSupervisorLog() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(PostgresSupervisor.class))
        .addAppender(appender);
    return appender;
  }

  private static void releaseSupervisorLog(ListAppender<ILoggingEvent> appender) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(PostgresSupervisor.class))
        .detachAppender(appender);
  }

  @Test
  void failedStartQuotesThePostgresLog() {
    PostgresSettings bad = settings(cluster).withServerSettings(Map.of("shared_buffers", "bogus"));
    AmpdException e =
        assertThrows(AmpdException.class, () -> PostgresSupervisor.start(bad, listener()));
    assertTrue(
        e.getMessage()
            .startsWith(
                "PostgreSQL in " + cluster + " exited while starting (exit 1); last log lines: "),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("invalid value for parameter \"shared_buffers\""), e.getMessage());
  }

  @Test
  void stopNowIsAnImmediateShutdown() throws Exception {
    ListAppender<ILoggingEvent> log = PgTestSupport.capturePostgresLog();
    try {
      PostgresSupervisor s = PostgresSupervisor.start(settings(cluster), listener());
      long pid = s.pid();
      s.stopNow();
      assertEquals(PostgresSupervisor.State.STOPPED, s.state());
      assertTrue(awaitGone(pid, Duration.ZERO));
      assertTrue(PgTestSupport.logged(log, "received immediate shutdown request"));
      s.close();
    } finally {
      PgTestSupport.release(log);
    }
  }

  @Test
  void aDirThePostgresUserCannotEnterIsNamed() throws Exception {
    Path closed = TempDirs.create("pgclosed");
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    Path data = closed.resolve("amp").resolve("metadb");
    AmpdException e =
        assertThrows(
            AmpdException.class, () -> PostgresSupervisor.start(settings(data), listener()));
    assertEquals(
        "PostgreSQL runs as OS user 'postgres', which cannot reach "
            + data
            + ": it may not enter "
            + closed,
        e.getMessage());
    assertEquals(
        "choose an --amp-dir that user can reach, or allow it with 'chmod o+x " + closed + "'",
        e.hint());
  }

  @Test
  void aMissingOsUserIsAClearError() {
    PostgresSettings s = settings(cluster);
    PostgresSettings noUser =
        new PostgresSettings(
            s.dataDir(),
            s.binDir(),
            Optional.of("no-such-user-x"),
            s.serverSettings(),
            s.cacheDir(),
            s.startTimeout(),
            s.stopTimeout(),
            s.env(),
            s.host());
    AmpdException e =
        assertThrows(AmpdException.class, () -> PostgresSupervisor.start(noUser, listener()));
    assertEquals(
        "OS user 'no-such-user-x' (metadata_db.managed.os_user) does not exist", e.getMessage());
  }

  private static Process startRawPostgres(Path data) throws IOException {
    String postgres =
        BinaryLocator.version(Path.of("/usr/lib/postgresql/15/bin/postgres")) != null
            ? "/usr/lib/postgresql/15/bin/postgres"
            : "postgres";
    return new ProcessBuilder(
            "setpriv",
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
            postgres,
            "-D",
            data.toString(),
            "-c",
            "listen_addresses=",
            "-c",
            "unix_socket_directories=" + data)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private static void awaitReady(Path data, long pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      var pf = PidFile.read(data);
      if (pf.isPresent() && pf.get().pid() == pid && pf.get().ready()) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("raw postgres did not get ready");
  }
}
