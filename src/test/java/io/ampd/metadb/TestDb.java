package io.ampd.metadb;

import io.ampd.config.PgUrl;
import io.ampd.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Databases for this package's tests, on the project's {@link TestPostgres}. */
final class TestDb {
  private TestDb() {}

  /** A fresh, empty database; the superuser's URL over the Unix socket. */
  static PgUrl createDatabase() {
    return TestPostgres.shared().createDatabase("metadb");
  }

  /** The same database as {@code url}, as {@code user} (trusted locally, no password). */
  static PgUrl asUser(PgUrl url, String user) {
    return TestPostgres.shared().url(url.database(), user);
  }

  /** Runs one statement; SQL errors come back as IllegalStateException with the SQLException. */
  static void execute(PgUrl url, String sql) {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
