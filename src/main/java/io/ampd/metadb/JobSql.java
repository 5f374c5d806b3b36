package io.ampd.metadb;

import io.ampd.registry.DatasetRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL that {@link JobAdmin}, {@link JobQueries}, {@link JobScheduling} and {@link RunLedger}
 * share: a job row's columns and mapping, the one compare-and-set of a job's status with its event
 * and notification, and the choice of a live worker.
 *
 * <p><b>Rules.</b> Every status change is a compare-and-set ({@code UPDATE … WHERE status =
 * ANY(?)}, plus the node for a worker's own changes) and writes a {@code job_events} row in the
 * same transaction; a change a worker must act on also sends {@code pg_notify('job_actions', …)} in
 * that transaction, so the notification is delivered exactly when the change is visible. A change
 * that loses its race returns false and writes nothing. Liveness of workers is judged by the
 * database clock ({@code now()}), so clocks of the hosts never matter.
 *
 * <p>Notification payload: {@code {"job_id": 7, "node_id": "w1", "action": "start"|"stop"}}.
 *
 * <p>Every method runs on the caller's connection and inside the caller's transaction.
 */
final class JobSql {
  static final String COLUMNS =
      "id, dataset_namespace, dataset_name, dataset_version, descriptor->>'kind' AS kind,"
          + " descriptor->>'provider' AS provider, node_id, status, attempts, next_attempt_at,"
          + " last_error, created_at, updated_at";

  /** Workers with a fresh heartbeat, least busy first; {@code ?} is the timeout in seconds. */
  static final String PICK_WORKER =
      "SELECT w.node_id FROM workers w"
          + " LEFT JOIN jobs j ON j.node_id = w.node_id"
          + " AND j.status IN ('SCHEDULED', 'RUNNING', 'STOP_REQUESTED', 'STOPPING')"
          + " WHERE w.stopped_at IS NULL"
          + " AND w.heartbeat_at > now() - make_interval(secs => ?)"
          + " GROUP BY w.node_id ORDER BY count(j.id), w.node_id LIMIT 1";

  private JobSql() {}

  static boolean transition(
      Connection c,
      long id,
      String requireNode,
      Collection<JobStatus> from,
      JobStatus to,
      String actor,
      String eventType,
      Map<String, Object> detail)
      throws SQLException {
    return transition(c, id, requireNode, from, to, actor, eventType, detail, null, new Object[0]);
  }

  /**
   * The one compare-and-set: {@code UPDATE … WHERE status = ANY(from)} plus its event. Every change
   * of status clears the retry time: only an ERROR job has one, planned after it got there.
   */
  static boolean transition(
      Connection c,
      long id,
      String requireNode,
      Collection<JobStatus> from,
      JobStatus to,
      String actor,
      String eventType,
      Map<String, Object> detail,
      String extraSet,
      Object[] extraParams)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(to.name());
    params.addAll(List.of(extraParams));
    params.add(id);
    params.add(statuses(c, from));
    String sql =
        "UPDATE jobs SET status = ?, next_attempt_at = NULL"
            + (extraSet == null ? "" : ", " + extraSet)
            + " WHERE id = ? AND status = ANY(?)";
    if (requireNode != null) {
      sql += " AND node_id = ?";
      params.add(requireNode);
    }
    if (Sql.update(c, sql, params.toArray()) == 0) {
      return false;
    }
    event(c, id, actor, eventType, detail);
    return true;
  }

  /**
   * A compare-and-set that also moves the job, as SCHEDULED, to {@code toNode} (null: waiting for a
   * worker); {@code fromNode} non-null also requires the job to be on that node.
   */
  static boolean reassign(
      Connection c,
      long id,
      Collection<JobStatus> from,
      String fromNode,
      String toNode,
      String actor,
      String eventType,
      Map<String, Object> detail)
      throws SQLException {
    String sql =
        "UPDATE jobs SET status = 'SCHEDULED', node_id = ?, next_attempt_at = NULL"
            + " WHERE id = ? AND status = ANY(?)"
            + (fromNode == null ? "" : " AND node_id = ?");
    Object[] params =
        fromNode == null
            ? new Object[] {toNode, id, statuses(c, from)}
            : new Object[] {toNode, id, statuses(c, from), fromNode};
    if (Sql.update(c, sql, params) == 0) {
      return false;
    }
    event(c, id, actor, eventType, detail);
    if (toNode != null) {
      notify(c, id, toNode, "start");
    }
    return true;
  }

  static Optional<String> pickWorker(Connection c, Duration workerTimeout) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c, PICK_WORKER, seconds(workerTimeout));
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  static Optional<Job> find(Connection c, long id) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM jobs WHERE id = ?", id).stream().findFirst();
  }

  static void event(
      Connection c, long jobId, String nodeId, String type, Map<String, Object> detail)
      throws SQLException {
    Sql.update(
        c,
        "INSERT INTO job_events (job_id, node_id, event_type, detail)"
            + " VALUES (?, ?, ?, ?::jsonb)",
        jobId,
        nodeId,
        type,
        Sql.json(detail));
  }

  static void notify(Connection c, long jobId, String nodeId, String action) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("job_id", jobId);
    payload.put("node_id", nodeId);
    payload.put("action", action);
    try (PreparedStatement ps =
            Sql.prepare(c, "SELECT pg_notify('" + RunLedger.CHANNEL + "', ?)", Sql.json(payload));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
    } catch (SQLException e) {
      throw new MetadbException(e);
    }
  }

  static List<Job> query(Connection c, String sql, Object... params) throws SQLException {
    List<Job> out = new ArrayList<>();
    try (PreparedStatement ps = Sql.prepare(c, sql, params);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Job(
                rs.getLong("id"),
                new DatasetRef(
                    rs.getString("dataset_namespace"),
                    rs.getString("dataset_name"),
                    rs.getString("dataset_version")),
                rs.getString("kind"),
                rs.getString("provider"),
                Optional.ofNullable(rs.getString("node_id")),
                JobStatus.valueOf(rs.getString("status")),
                rs.getInt("attempts"),
                Sql.optionalInstant(rs, "next_attempt_at"),
                Optional.ofNullable(rs.getString("last_error")),
                Sql.instant(rs, "created_at"),
                Sql.instant(rs, "updated_at")));
      }
    }
    return out;
  }

  static java.sql.Array statuses(Connection c, Collection<JobStatus> statuses) throws SQLException {
    return c.createArrayOf("text", statuses.stream().map(Enum::name).toArray());
  }

  static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** An event's detail from key/value pairs; null values are left out. */
  static Map<String, Object> detail(Object... keyValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      Object value = keyValues[i + 1];
      if (value != null) {
        out.put((String) keyValues[i], value instanceof Enum<?> e ? e.name() : value);
      }
    }
    return out;
  }
}
