package io.ampd.metadb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Flyway's history table with plain SQL, without loading Flyway: the fast path of {@link
 * Migrations#ensureCurrent}.
 */
final class SchemaHistory {
  /** Flyway's history table, in the connection's current schema. */
  static final String TABLE = "_amp_migrations";

  /**
   * Released migrations whose file changed after release in a comment only, with the Flyway
   * checksum (CRC32 of the lines) of the released file and of the file now. One so far: line 1 of
   * {@code V1__initial_schema.sql} cited a design file outside the repository, and now cites
   * docs/design.md.
   */
  static final List<Reworded> REWORDED = List.of(new Reworded(1, -416940156, -1997424012));

  private static final Logger LOG = LoggerFactory.getLogger(SchemaHistory.class);

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

  /**
   * A released migration whose comments were reworded after release.
   *
   * @param version the migration's version
   * @param releasedChecksum Flyway's checksum of the file as released (what databases store)
   * @param checksum Flyway's checksum of the file now
   */
  record Reworded(int version, int releasedChecksum, int checksum) {}

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
   * Before Flyway validates: rewrites the stored checksum of each {@link #REWORDED} migration from
   * its released value to its current one, and only from that value, so a database that applied the
   * released file passes validation while a file edited any other way still fails it. Runs under
   * the migration lock; each row changes in one compare-and-set statement. Returns how many rows
   * changed.
   */
  static int realignReworded(DataSource dataSource) throws SQLException {
    int changed = 0;
    try (Connection connection = dataSource.getConnection()) {
      if (read(connection).version() == 0) {
        return 0;
      }
      try (PreparedStatement update =
          connection.prepareStatement(
              "UPDATE "
                  + TABLE
                  + " SET checksum = ? WHERE version = ? AND checksum = ? AND success")) {
        for (Reworded reworded : REWORDED) {
          update.setInt(1, reworded.checksum());
          update.setString(2, Integer.toString(reworded.version()));
          update.setInt(3, reworded.releasedChecksum());
          int rows = update.executeUpdate();
          if (rows > 0) {
            LOG.info(
                "migration {}: recorded checksum updated for a comment reworded after release",
                reworded.version());
          }
          changed += rows;
        }
      }
    }
    return changed;
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
