package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.PgUrl;
import io.ampd.testing.TempDirs;
import io.ampd.testing.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ampd migrate} and {@code ampd controller} as processes against an external database. */
class MigrateIT {
  private static final Duration RUN = Duration.ofSeconds(60);
  private static final String SECRET = "pw-never-printed-7Q";

  private Path base;

  @BeforeEach
  void setUp() throws IOException {
    base = TempDirs.create("ampd-it-migrate");
  }

  @AfterEach
  void tearDown() throws IOException {
    TempDirs.deleteRecursively(base);
  }

  private Path config(String url) throws IOException {
    Path file = base.resolve("config-" + System.nanoTime() + ".toml");
    Files.writeString(file, "[metadata_db]\nurl = \"" + url + "\"\n");
    return file;
  }

  private AmpdProcess.Result migrate(Path config) throws Exception {
    return AmpdProcess.run(base, Map.of(), RUN, "--config", config.toString(), "migrate");
  }

  private static int count(PgUrl url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getInt(1);
    }
  }

  @Test
  void freshDatabaseAppliesAllThenNothing() throws Exception {
    PgUrl url = TestPostgres.shared().createDatabase("mig_fresh");
    Path config = config(url.psqlUrl());

    AmpdProcess.Result first = migrate(config);
    assertEquals(0, first.exitCode(), first.toString());
    assertTrue(first.stdout().contains("applied migration 1"), first.toString());
    assertTrue(
        first
            .stdout()
            .contains(
                "metadata database schema is at version "
                    + io.ampd.metadb.Migrations.LATEST_VERSION),
        first.toString());

    AmpdProcess.Result again = migrate(config);
    assertEquals(0, again.exitCode(), again.toString());
    assertFalse(again.stdout().contains("applied migration"), again.toString());
    assertTrue(
        again
            .stdout()
            .contains(
                "already up to date (version " + io.ampd.metadb.Migrations.LATEST_VERSION + ")"),
        again.toString());
    assertEquals(1, count(url, "SELECT count(*) FROM _amp_migrations WHERE version = '1'"));
  }

  @Test
  void fiveAtOnceAllSucceedAndEachVersionIsRecordedOnce() throws Exception {
    PgUrl url = TestPostgres.shared().createDatabase("mig_five");
    Path config = config(url.psqlUrl());
    List<AmpdProcess> running = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        running.add(AmpdProcess.start(base, Map.of(), "--config", config.toString(), "migrate"));
      }
      for (AmpdProcess p : running) {
        assertEquals(0, p.waitFor(RUN), p.stdout() + p.stderr());
      }
    } finally {
      running.forEach(AmpdProcess::close);
    }
    assertEquals(
        0,
        count(
            url,
            "SELECT count(*) FROM (SELECT version FROM _amp_migrations"
                + " WHERE version IS NOT NULL GROUP BY version HAVING count(*) > 1) d"));
    assertEquals(1, count(url, "SELECT count(*) FROM _amp_migrations WHERE version = '1'"));
  }

  @Test
  void anEditedMigrationIsRefused() throws Exception {
    PgUrl url = TestPostgres.shared().createDatabase("mig_edit");
    Path config = config(url.psqlUrl());
    assertEquals(0, migrate(config).exitCode());

    Path jar = Path.of(System.getProperty("ampd.jar"));
    Path dist = base.resolve("edited");
    Files.createDirectories(dist);
    Path edited = dist.resolve("ampd.jar");
    Files.copy(jar, edited, StandardCopyOption.REPLACE_EXISTING);
    Files.createSymbolicLink(dist.resolve("lib"), jar.resolveSibling("lib"));
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + edited.toUri()), Map.of());
        Stream<Path> files = Files.list(zip.getPath("/db/migration"))) {
      Path v1 =
          files
              .filter(f -> f.getFileName().toString().startsWith("V1__"))
              .findFirst()
              .orElseThrow();
      Files.writeString(v1, Files.readString(v1) + "\n-- an edit\nSELECT 1;\n");
    }
    List<String> command = AmpdProcess.javaCommand();
    command.set(command.size() - 1, edited.toString());
    command.addAll(List.of("--config", config.toString(), "migrate"));
    try (AmpdProcess p = AmpdProcess.startCommand(base, Map.of(), command)) {
      assertEquals(1, p.waitFor(RUN), p.stderr());
      assertTrue(
          p.stderr().startsWith("error: migration checksum mismatch for version 1\n"), p.stderr());
      assertTrue(p.stderr().contains("hint: restore the original"), p.stderr());
    }
  }

  @Test
  void anUnreachableHostFailsWithinItsConnectTimeout() throws Exception {
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // Accepts TCP connections (the kernel's backlog) but never answers the startup packet.
      String url =
          "postgresql://amp:"
              + SECRET
              + "@127.0.0.1:"
              + blackHole.getLocalPort()
              + "/amp?connect_timeout=3";
      long start = System.nanoTime();
      AmpdProcess.Result r = migrate(config(url));
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertEquals(1, r.exitCode(), r.toString());
      assertTrue(
          r.stderr()
              .startsWith(
                  "error: failed to connect to metadata database"
                      + " (postgresql://amp:***@127.0.0.1:"
                      + blackHole.getLocalPort()),
          r.toString());
      assertTrue(r.stderr().contains("hint: "), r.toString());
      assertFalse((r.stdout() + r.stderr()).contains(SECRET), r.toString());
      assertFalse(r.stderr().contains("Exception"), r.toString());
      assertTrue(seconds < 20, "took " + seconds + " s with connect_timeout=3");
    }
  }

  @Test
  void aRefusedConnectionNamesTheRedactedUrl() throws Exception {
    int closed = AmpdProcess.freePort();
    String url = "postgres://amp:" + SECRET + "@127.0.0.1:" + closed + "/amp";
    AmpdProcess.Result r = migrate(config(url));
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(
        r.stderr()
            .startsWith(
                "error: failed to connect to metadata database"
                    + " (postgres://amp:***@127.0.0.1:"
                    + closed
                    + "/amp)"),
        r.toString());
    assertFalse((r.stdout() + r.stderr()).contains(SECRET), r.toString());
  }

  @Test
  void aUserWithoutCreatePrivilegeGetsTheGrantHint() throws Exception {
    TestPostgres pg = TestPostgres.shared();
    PgUrl owner = pg.createDatabase("mig_noperm");
    try (Connection c = DriverManager.getConnection(owner.jdbcUrl(), owner.jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'amp_noperm')"
              + " THEN CREATE ROLE amp_noperm LOGIN; END IF; END $$");
    }
    PgUrl noPerm = PgUrl.unixSocket(pg.socketDir(), owner.port(), owner.database(), "amp_noperm");
    AmpdProcess.Result r = migrate(config(noPerm.psqlUrl()));
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.stderr().startsWith("error: permission denied"), r.toString());
    assertTrue(r.stderr().contains("GRANT"), r.toString());
    assertTrue(r.stderr().contains("amp_noperm"), r.toString());
    assertFalse(r.stderr().contains("Exception"), r.toString());
  }

  @Test
  void controllerRefusesAPendingSchemaWithoutAutoMigrate() throws Exception {
    PgUrl url = TestPostgres.shared().createDatabase("ctl_pending");
    Path config = config(url.psqlUrl());
    int port = AmpdProcess.freePort();
    Map<String, String> env = AmpdProcess.envWithAdminPort(port);
    try (AmpdProcess p =
        AmpdProcess.start(base, env, "--config", config.toString(), "controller")) {
      assertEquals(1, p.waitFor(RUN), p.stderr());
      assertTrue(
          p.stderr()
              .contains(
                  "error: metadata database schema is at version 0, this ampd needs "
                      + io.ampd.metadb.Migrations.LATEST_VERSION),
          p.stderr());
      assertTrue(
          p.stderr()
              .contains(
                  "hint: run 'ampd --config "
                      + config
                      + " migrate'"
                      + " or set auto_migrate = true"),
          p.stderr());
    }

    assertEquals(0, migrate(config).exitCode());
    try (AmpdProcess p =
        AmpdProcess.start(base, env, "--config", config.toString(), "controller")) {
      AmpdProcess.HttpResult health = p.awaitHealthy(port, RUN);
      assertTrue(health.body().contains("\"managed\":false"), health.body());
      p.signal("TERM");
      assertEquals(0, p.waitFor(RUN), p.stderr());
    }
  }
}
