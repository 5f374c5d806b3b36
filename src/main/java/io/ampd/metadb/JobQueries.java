package io.ampd.metadb;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.registry.DatasetRef;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Reads of {@code jobs} and {@code job_events}: the admin API's views, and a worker's list of the
 * jobs it holds. Each read is one autocommit statement; nothing here changes a row.
 */
public final class JobQueries {
  private final DataSource dataSource;

  public JobQueries(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Optional<Job> find(long id) {
    return Sql.autoCommit(dataSource, c -> JobSql.find(c, id));
  }

  /** Jobs newest first, optionally of one status, at most {@code limit}. */
  public List<Job> list(Optional<JobStatus> status, int limit) {
    return list(status.map(Set::of).orElse(Set.of()), limit, OptionalLong.empty());
  }

  /**
   * Jobs newest first, at most {@code limit}: of {@code statuses} (empty: any), and with ids below
   * {@code before} when given (Amp's cursor: the last id of the previous page).
   */
  public List<Job> list(Set<JobStatus> statuses, int limit, OptionalLong before) {
    return Sql.autoCommit(
        dataSource,
        c -> {
          List<String> where = new ArrayList<>();
          List<Object> params = new ArrayList<>();
          if (!statuses.isEmpty()) {
            where.add("status = ANY(?)");
            params.add(JobSql.statuses(c, statuses));
          }
          if (before.isPresent()) {
            where.add("id < ?");
            params.add(before.getAsLong());
          }
          params.add(limit);
          return JobSql.query(
              c,
              "SELECT "
                  + JobSql.COLUMNS
                  + " FROM jobs"
                  + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                  + " ORDER BY id DESC LIMIT ?",
              params.toArray());
        });
  }

  /** Jobs assigned to {@code nodeId} that a worker holds (scheduled, running, stopping). */
  public List<Job> jobsOf(String nodeId) {
    return Sql.autoCommit(
        dataSource,
        c ->
            JobSql.query(
                c,
                "SELECT "
                    + JobSql.COLUMNS
                    + " FROM jobs WHERE node_id = ? AND status = ANY(?) ORDER BY id",
                nodeId,
                JobSql.statuses(c, JobStatus.ON_WORKER)));
  }

  /** The events of a job, oldest first. */
  public List<JobEvent> events(long jobId) {
    return Sql.autoCommit(
        dataSource,
        c -> {
          List<JobEvent> out = new ArrayList<>();
          try (PreparedStatement ps =
                  Sql.prepare(
                      c,
                      "SELECT id, job_id, node_id, event_type, detail::text AS detail, created_at"
                          + " FROM job_events WHERE job_id = ? ORDER BY id",
                      jobId);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(
                  new JobEvent(
                      rs.getLong("id"),
                      rs.getLong("job_id"),
                      Optional.ofNullable(rs.getString("node_id")),
                      rs.getString("event_type"),
                      Sql.jsonNode(rs.getString("detail")),
                      Sql.instant(rs, "created_at")));
            }
          }
          return out;
        });
  }

  /** The descriptors of jobs (the JSON object written at deploy), by id; unknown ids are absent. */
  public Map<Long, JsonNode> descriptors(Collection<Long> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    return Sql.autoCommit(
        dataSource,
        c -> {
          Map<Long, JsonNode> out = new LinkedHashMap<>();
          try (PreparedStatement ps =
                  Sql.prepare(
                      c,
                      "SELECT id, descriptor::text FROM jobs WHERE id = ANY(?)",
                      c.createArrayOf("bigint", ids.toArray()));
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.put(rs.getLong(1), Sql.jsonNode(rs.getString(2)));
            }
          }
          return out;
        });
  }

  /** The jobs of one dataset version, newest first. */
  public List<Job> jobsOf(DatasetRef dataset) {
    return Sql.autoCommit(
        dataSource,
        c ->
            JobSql.query(
                c,
                "SELECT "
                    + JobSql.COLUMNS
                    + " FROM jobs WHERE dataset_namespace = ? AND dataset_name = ?"
                    + " AND dataset_version = ? ORDER BY id DESC",
                dataset.namespace(),
                dataset.name(),
                dataset.version()));
  }
}
