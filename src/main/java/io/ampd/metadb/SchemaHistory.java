package io.ampd.metadb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Reads Flyway's history table with plain SQL, without loading Flyway: the fast path of {@link
 * Migrations#ensureCurrent}.
 */
final class SchemaHistory {
  /** Flyway's history table, in the connection's current schema. */
  static final String TABLE = "_amp_migrations";

  private static final String EXISTS = "SELECT to_regclass('" + TABLE + "') IS NOT NULL";

  private static final String QUERY =
      "SELECT coalesce(max(version::int) FILTER (WHERE success), 0),"
          + " count(*) FILTER (WHERE NOT success)"
          + " FROM "
          + TABLE
          + " WHERE version IS NOT NULL";

  /**
   * What the history table says.
   *
   * @param version highest successfully applied version, 0 without a history table
   * @param failed rows of failed migrations (PostgreSQL rolls failed ones back, so normally 0)
   */
  record State(int version, int failed) {}

  private SchemaHistory() {}

  static State read(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return read(connection);
    }
  }

  /**
   * The current schema when this user may not create the history table in it, else null. Checked up
   * front because Flyway retries a failed history-table creation for ten seconds.
   */
  static String schemaWithoutCreate(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT current_schema(), has_schema_privilege(current_schema(), 'CREATE')")) {
      rows.next();
      String schema = rows.getString(1);
      return schema != null && !rows.getBoolean(2) ? schema : null;
    }
  }

  /**
   * Looks the table up first rather than catching "undefined table": PostgreSQL would log that
   * error on every first start, and the ampd log carries PostgreSQL's.
   */
  static State read(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      try (ResultSet rows = statement.executeQuery(EXISTS)) {
        rows.next();
        if (!rows.getBoolean(1)) {
          return new State(0, 0);
        }
      }
      try (ResultSet rows = statement.executeQuery(QUERY)) {
        rows.next();
        return new State(rows.getInt(1), rows.getInt(2));
      }
    }
  }
}
