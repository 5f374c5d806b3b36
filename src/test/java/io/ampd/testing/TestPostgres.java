package io.ampd.testing;

import io.ampd.config.PgUrl;
import io.ampd.postgres.Host;
import io.ampd.postgres.PostgresSettings;
import io.ampd.postgres.PostgresSupervisor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real PostgreSQL per test JVM, run by the project's own {@link PostgresSupervisor}: started on
 * first use in a fresh 0755 dir under {@code java.io.tmpdir}, stopped (and the dir removed) by a
 * JVM shutdown hook. Use {@link #shared()} directly, or {@code @ExtendWith(TestPostgres.class)} to
 * start it before the class and inject it as a test or constructor parameter.
 *
 * <p>Each test should work in its own database: {@link #createDatabase(String)}.
 */
public final class TestPostgres implements BeforeAllCallback, ParameterResolver {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static volatile TestPostgres shared;

  private final PostgresSupervisor supervisor;
  private final Path root;

  private TestPostgres(PostgresSupervisor supervisor, Path root) {
    this.supervisor = supervisor;
    this.root = root;
  }

  /** The extension form; the instance JUnit makes only delegates to {@link #shared()}. */
  public TestPostgres() {
    this.supervisor = null;
    this.root = null;
  }

  /** The PostgreSQL of this test JVM, started on first call. */
  public static TestPostgres shared() {
    TestPostgres pg = shared;
    if (pg == null) {
      synchronized (TestPostgres.class) {
        pg = shared;
        if (pg == null) {
          pg = startShared();
          shared = pg;
        }
      }
    }
    return pg;
  }

  private static TestPostgres startShared() {
    Path root = createRoot();
    PostgresSettings settings =
        PostgresSettings.defaults(root.resolve("metadb"), System.getenv(), Host.current());
    PostgresSupervisor supervisor =
        PostgresSupervisor.start(settings, new PostgresSupervisor.Listener() {});
    supervisor.awaitToolsDatabase(); // tests use database postgres too
    TestPostgres pg = new TestPostgres(supervisor, root);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  supervisor.close();
                  TempDirs.deleteRecursively(root);
                },
                "test-postgres-stop"));
    return pg;
  }

  /** A 0755 root that outlives single tests (TempDirs deletes its dirs after each test). */
  private static Path createRoot() {
    try {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
      Path dir = Files.createTempDirectory(tmp, "ampd-testpg-");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The supervisor itself (state, pid, version). Do not close it: the shutdown hook does. */
  public PostgresSupervisor supervisor() {
    return self().supervisor;
  }

  /** The directory holding the Unix socket {@code .s.PGSQL.5432}. */
  public Path socketDir() {
    return self().supervisor.socketDir();
  }

  /** Superuser {@code postgres} on database {@code postgres}. */
  public PgUrl superuserUrl() {
    return url("postgres", "postgres");
  }

  /** {@code user} (no password: local connections are trusted) on {@code database}. */
  public PgUrl url(String database, String user) {
    return PgUrl.unixSocket(socketDir(), 5432, database, user);
  }

  /** {@code user} with {@code password} on {@code database}, as a libpq URI would give it. */
  public PgUrl url(String database, String user, String password) {
    return PgUrl.parse(
        "postgresql://"
            + enc(user)
            + ":"
            + enc(password)
            + "@/"
            + enc(database)
            + "?host="
            + enc(socketDir().toString())
            + "&port=5432");
  }

  /** A fresh, empty database named {@code <prefix>_<n>}, owned by the superuser. */
  public PgUrl createDatabase(String prefix) {
    String name =
        prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_")
            + "_"
            + ProcessHandle.current().pid()
            + "_"
            + COUNTER.incrementAndGet();
    execute("CREATE DATABASE " + quote(name));
    return url(name, "postgres");
  }

  /** Creates a login role; {@code password} may be null. */
  public void createRole(String name, String password) {
    String sql = "CREATE ROLE " + quote(name) + " LOGIN";
    if (password != null) {
      sql += " PASSWORD '" + password.replace("'", "''") + "'";
    }
    execute(sql);
  }

  /** Runs one statement as the superuser on database {@code postgres}. */
  public void execute(String sql) {
    PgUrl url = superuserUrl();
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test PostgreSQL: " + sql + ": " + e.getMessage(), e);
    }
  }

  private TestPostgres self() {
    return supervisor != null ? this : shared();
  }

  private static String quote(String ident) {
    return '"' + ident.replace("\"", "\"\"") + '"';
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    shared();
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == TestPostgres.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return shared();
  }
}
