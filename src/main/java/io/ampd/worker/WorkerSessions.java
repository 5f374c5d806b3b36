package io.ampd.worker;

import io.ampd.core.AmpdException;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.PgDriver;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's dedicated sessions (outside the pool), and the small helpers its parts share:
 * opening a session named {@code ampd worker <node> <purpose>}, closing one quietly, joining a
 * thread with a bound.
 */
final class WorkerSessions {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private WorkerSessions() {}

  static int backendPid(Connection connection) {
    try {
      return connection.unwrap(PGConnection.class).getBackendPID();
    } catch (SQLException e) {
      return 0;
    }
  }

  /** The {@code application_name} of a dedicated session: {@code ampd worker <node> <purpose>}. */
  static String applicationName(String nodeId, String purpose) {
    return "ampd worker " + nodeId + " " + purpose;
  }

  static Connection connect(WorkerSettings settings, String purpose) {
    Properties properties = MetadataDb.sessionProperties(settings.url(), settings.networkTimeout());
    properties.setProperty("ApplicationName", applicationName(settings.nodeId(), purpose));
    try {
      return PgDriver.connect(settings.url().jdbcUrl(), properties);
    } catch (SQLException e) {
      throw new AmpdException(
          "failed to connect to metadata database ("
              + settings.url().redacted()
              + "): "
              + e.getMessage(),
          "check metadata_db.url and that PostgreSQL is up",
          e);
    }
  }

  static void join(Thread thread, Duration timeout) {
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing a worker connection: {}", e.getMessage());
    }
  }
}
