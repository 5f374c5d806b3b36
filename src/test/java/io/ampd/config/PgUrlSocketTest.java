package io.ampd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Connects through {@link PgUrl#jdbcUrl()} and {@link PgUrl#jdbcProperties()} to a real
 * PostgreSQL listening only on a Unix socket, proving the junixsocket factory settings work.
 *
 * <p>The throwaway server is started here with the system binaries ({@code initdb} and {@code
 * postgres} on PATH), as the {@code postgres} OS user when the tests run as root, and stopped by
 * pid in {@code finally}. Replace with io.ampd.testing.TestPostgres once it exists.
 */
class PgUrlSocketTest {

  @Test
  void connectsOverUnixSocket() throws Exception {
    Path base =
        Files.createTempDirectory(
            Path.of(System.getProperty("java.io.tmpdir")),
            "pgurl-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path data = base.resolve("data");
    Files.createDirectory(
        data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(data, users.lookupPrincipalByName("postgres"));
    }
    int port = ThreadLocalRandom.current().nextInt(40000, 60000);
    Process postgres = null;
    try {
      run(root, base, "initdb", "-D", data.toString(), "-U", "amp", "--auth=trust", "-E", "UTF8",
          "--no-locale", "-N");
      postgres =
          start(root, base, "postgres", "-D", data.toString(), "-k", data.toString(), "-p",
              String.valueOf(port), "-c", "listen_addresses=", "-c", "fsync=off");

      PgUrl url =
          PgUrl.parse("postgresql://amp@/postgres?host=" + data + "&port=" + port)
              .withDefaultApplicationName("pgurl-test");
      assertEquals("amp|postgres|pgurl-test", query(url, postgres, base));

      PgUrl factory = PgUrl.unixSocket(data, port, "template1", "amp");
      assertEquals("amp|template1|PostgreSQL JDBC Driver", query(factory, postgres, base));
    } finally {
      if (postgres != null) {
        postgres.destroy(); // SIGTERM: smart shutdown, our connections are closed
        if (!postgres.waitFor(20, TimeUnit.SECONDS)) {
          postgres.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      deleteTree(base);
    }
  }

  private static String query(PgUrl url, Process postgres, Path base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    SQLException last = null;
    while (System.nanoTime() < deadline && postgres.isAlive()) {
      try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT current_user || '|' || current_database() || '|'"
                      + " || current_setting('application_name')")) {
        rs.next();
        return rs.getString(1);
      } catch (SQLException e) {
        last = e;
        Thread.sleep(20);
      }
    }
    throw new AssertionError(
        "could not connect through " + url + ": " + last + "\n" + log(base), last);
  }

  private static List<String> command(boolean root, String... args) {
    List<String> cmd = new ArrayList<>();
    if (root) {
      cmd.addAll(
          List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static void run(boolean root, Path base, String... args) throws Exception {
    Process p = start(root, base, args);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(args[0] + " timed out\n" + log(base));
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(args[0] + " exited with " + p.exitValue() + "\n" + log(base));
    }
  }

  private static Process start(boolean root, Path base, String... args) throws IOException {
    return new ProcessBuilder(command(root, args))
        .directory(base.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("log").toFile()))
        .start();
  }

  private static String log(Path base) throws IOException {
    Path log = base.resolve("log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
