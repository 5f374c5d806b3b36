package io.ampd.postgres;

import io.ampd.config.PgUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The two statements the supervisor runs itself: the readiness probe and CREATE DATABASE. */
final class Sql {
  /** SQLSTATE invalid_catalog_name: the database does not exist. */
  static final String NO_SUCH_DATABASE = "3D000";

  private Sql() {}

  static Connection connect(PgUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
  }

  /** {@code SELECT 1} over a fresh connection. */
  static void selectOne(PgUrl url) throws SQLException {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute("SELECT 1");
    }
  }

  /** Creates {@code database} (connected through {@code admin}); an existing one is fine. */
  static void createDatabase(PgUrl admin, String database) throws SQLException {
    try (Connection c = connect(admin);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + quoteIdent(database));
    } catch (SQLException e) {
      if (!"42P04".equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  static String quoteIdent(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
