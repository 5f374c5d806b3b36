package io.ampd.metadb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session-level PostgreSQL advisory lock held on a connection of its own until closed. The lock
 * dies with its session, so a crashed holder never blocks others; use it only on a pool that is
 * closed right after, so a failed unlock cannot leave it on a pooled connection.
 */
final class MigrationLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationLock.class);

  private final Connection connection;
  private final long key;
  private boolean released;

  private MigrationLock(Connection connection, long key) {
    this.connection = connection;
    this.key = key;
  }

  /** Takes the lock, waiting (and saying so in the log) while another session holds it. */
  static MigrationLock acquire(DataSource dataSource, long key) throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      if (!call(connection, "SELECT pg_try_advisory_lock(?)", key)) {
        LOG.info("another process is migrating the metadata database; waiting for it");
        call(connection, "SELECT pg_advisory_lock(?) IS NULL", key);
      }
      return new MigrationLock(connection, key);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private static boolean call(Connection connection, String sql, long key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, key);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getBoolean(1);
      }
    }
  }

  /** Releases the lock and returns the connection. Idempotent. */
  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    try (connection) {
      call(connection, "SELECT pg_advisory_unlock(?)", key);
    } catch (SQLException e) {
      LOG.warn(
          "releasing the migration lock failed (it goes with the session): {}", e.getMessage());
    }
  }
}
