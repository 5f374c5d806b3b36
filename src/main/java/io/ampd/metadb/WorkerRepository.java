package io.ampd.metadb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The SQL of {@code workers}: registration, heartbeats, the node lock, and liveness as the database
 * clock sees it.
 *
 * <p>The node lock is a session-level advisory lock on {@code hashtextextended('ampd-worker:' ||
 * node_id, 0)}: held as long as the worker's dedicated connection lives, released by PostgreSQL the
 * moment that session ends (also when the worker is killed). The heartbeat goes over that same
 * connection, so a recorded heartbeat also proves the lock is still held.
 */
public final class WorkerRepository {
  private static final String COLUMNS =
      "node_id, info::text AS info, registered_at, heartbeat_at, stopped_at,"
          + " (stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ?)) AS live";

  private final DataSource dataSource;

  public WorkerRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Takes the node lock of {@code nodeId} on {@code connection} (a session of its own, not a pooled
   * one); false when another session holds it.
   */
  public static boolean tryLock(Connection connection, String nodeId) throws SQLException {
    try (PreparedStatement ps =
            Sql.prepare(
                connection,
                "SELECT pg_try_advisory_lock(hashtextextended(?, 0))",
                "ampd-worker:" + nodeId);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Ends the session of server process {@code pid} if it is still there under {@code
   * applicationName} (a worker's own earlier session); false when there is no such session.
   */
  public static boolean endSession(Connection connection, int pid, String applicationName)
      throws SQLException {
    try (PreparedStatement ps =
            Sql.prepare(
                connection,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE pid = ? AND application_name = ?",
                pid,
                applicationName);
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** Inserts or refreshes the row of {@code nodeId}: registered and heartbeat now, not stopped. */
  public static void register(Connection connection, String nodeId, Map<String, Object> info)
      throws SQLException {
    Sql.update(
        connection,
        "INSERT INTO workers (node_id, info) VALUES (?, ?::jsonb) ON CONFLICT (node_id) DO UPDATE"
            + " SET info = EXCLUDED.info, registered_at = now(), heartbeat_at = now(),"
            + " stopped_at = NULL",
        nodeId,
        Sql.json(info));
  }

  /** Records that {@code nodeId} is alive; false if its row is gone. */
  public static boolean heartbeat(Connection connection, String nodeId) throws SQLException {
    return Sql.update(
            connection,
            "UPDATE workers SET heartbeat_at = now(), stopped_at = NULL WHERE node_id = ?",
            nodeId)
        == 1;
  }

  /** Records a clean stop: nothing is scheduled onto {@code nodeId} until it registers again. */
  public static void markStopped(Connection connection, String nodeId) throws SQLException {
    Sql.update(connection, "UPDATE workers SET stopped_at = now() WHERE node_id = ?", nodeId);
  }

  /** Every worker by node id; live means a heartbeat within {@code timeout} and not stopped. */
  public List<WorkerNode> list(Duration timeout) {
    return Sql.autoCommit(
        dataSource,
        c -> query(c, "SELECT " + COLUMNS + " FROM workers ORDER BY node_id", seconds(timeout)));
  }

  public Optional<WorkerNode> find(String nodeId, Duration timeout) {
    return Sql.autoCommit(
        dataSource,
        c ->
            query(
                    c,
                    "SELECT " + COLUMNS + " FROM workers WHERE node_id = ?",
                    seconds(timeout),
                    nodeId)
                .stream()
                .findFirst());
  }

  private static List<WorkerNode> query(Connection c, String sql, Object... params)
      throws SQLException {
    List<WorkerNode> out = new ArrayList<>();
    try (PreparedStatement ps = Sql.prepare(c, sql, params);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new WorkerNode(
                rs.getString("node_id"),
                Sql.jsonNode(rs.getString("info")),
                Sql.instant(rs, "registered_at"),
                Sql.instant(rs, "heartbeat_at"),
                Sql.optionalInstant(rs, "stopped_at"),
                rs.getBoolean("live")));
      }
    }
    return out;
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
