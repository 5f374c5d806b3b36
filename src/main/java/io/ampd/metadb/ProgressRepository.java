package io.ampd.metadb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.registry.DatasetRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The SQL of {@code job_progress} (what a running job's worker publishes between commits, {@link
 * LiveProgress}) and the committed progress the admin API shows beside it.
 */
public final class ProgressRepository {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource dataSource;

  public ProgressRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Writes a job's live progress (one autocommit upsert); {@code updatedAt} is ignored, the row
   * gets the database's {@code now()}. A job deleted meanwhile is no error: nothing is written.
   */
  public void publish(LiveProgress p) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO job_progress (job_id, node_id, start_block, fetched_block,"
                    + " target_block, blocks_per_second, segment, running, updated_at)"
                    + " SELECT ?, ?, ?, ?, ?, ?, ?::jsonb, ?, now()"
                    + " WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?)"
                    + " ON CONFLICT (job_id) DO UPDATE SET node_id = excluded.node_id,"
                    + " start_block = excluded.start_block, fetched_block = excluded.fetched_block,"
                    + " target_block = excluded.target_block,"
                    + " blocks_per_second = excluded.blocks_per_second,"
                    + " segment = excluded.segment, running = excluded.running,"
                    + " updated_at = now()")) {
      s.setLong(1, p.jobId());
      s.setString(2, p.nodeId());
      s.setLong(3, p.startBlock());
      setLong(s, 4, p.fetchedBlock());
      setLong(s, 5, p.targetBlock());
      if (p.blocksPerSecond().isPresent()) {
        s.setDouble(6, p.blocksPerSecond().getAsDouble());
      } else {
        s.setNull(6, Types.DOUBLE);
      }
      s.setString(7, segmentJson(p.segment()));
      s.setBoolean(8, p.running());
      s.setLong(9, p.jobId());
      s.executeUpdate();
    } catch (SQLException e) {
      if ("23503".equals(e.getSQLState())) {
        return; // the job was deleted between the check and the insert
      }
      throw new MetadbException("cannot publish progress of job " + p.jobId(), e);
    }
  }

  /** The live progress of job {@code jobId}; empty if no run of it has published any. */
  public Optional<LiveProgress> find(long jobId) {
    return Optional.ofNullable(find(List.of(jobId)).get(jobId));
  }

  /** The live progress of each of {@code jobIds} that has some. */
  public Map<Long, LiveProgress> find(Collection<Long> jobIds) {
    Map<Long, LiveProgress> out = new LinkedHashMap<>();
    if (jobIds.isEmpty()) {
      return out;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT job_id, node_id, start_block, fetched_block, target_block,"
                    + " blocks_per_second, segment::text, running, updated_at"
                    + " FROM job_progress WHERE job_id = ANY(?)")) {
      s.setArray(1, c.createArrayOf("bigint", jobIds.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          double rate = r.getDouble(6);
          OptionalDouble blocksPerSecond =
              r.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(rate);
          out.put(
              r.getLong(1),
              new LiveProgress(
                  r.getLong(1),
                  r.getString(2),
                  r.getLong(3),
                  getLong(r, 4),
                  getLong(r, 5),
                  blocksPerSecond,
                  segment(r.getString(7)),
                  r.getBoolean(8),
                  r.getTimestamp(9).toInstant()));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new MetadbException("cannot read live progress", e);
    }
  }

  /** The first block recorded in each of {@code revisionIds} that has a file. */
  public Map<Long, Long> firstBlocks(Collection<Long> revisionIds) {
    Map<Long, Long> out = new LinkedHashMap<>();
    if (revisionIds.isEmpty()) {
      return out;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT revision_id, min(block_start) FROM files WHERE revision_id = ANY(?)"
                    + " GROUP BY revision_id")) {
      s.setArray(1, c.createArrayOf("bigint", revisionIds.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getLong(1), r.getLong(2));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new MetadbException("cannot read the first blocks of table revisions", e);
    }
  }

  /**
   * The active revision of a dataset table with its committed progress and the job that writes it.
   *
   * @param committed what the revision has recorded
   * @param firstBlock the first block recorded; empty before the first file
   * @param writer the job writing it; empty when that job was deleted
   * @param writerStatus that job's status
   */
  public record ActiveTable(
      TableProgress committed,
      OptionalLong firstBlock,
      OptionalLong writer,
      Optional<JobStatus> writerStatus) {}

  /** The active revision of each table of dataset version {@code ref} that has one, by name. */
  public List<ActiveTable> activeTables(DatasetRef ref) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT r.table_name, r.id, p.last_block, count(f.id),"
                    + " coalesce(sum(f.row_count), 0), coalesce(sum(f.size_bytes), 0),"
                    + " min(f.block_start), r.writer, j.status"
                    + " FROM table_revisions r"
                    + " LEFT JOIN extraction_progress p ON p.revision_id = r.id"
                    + " LEFT JOIN files f ON f.revision_id = r.id"
                    + " LEFT JOIN jobs j ON j.id = r.writer"
                    + " WHERE r.dataset_namespace = ? AND r.dataset_name = ?"
                    + " AND r.dataset_version = ? AND r.active"
                    + " GROUP BY r.table_name, r.id, p.last_block, r.writer, j.status"
                    + " ORDER BY r.table_name")) {
      s.setString(1, ref.namespace());
      s.setString(2, ref.name());
      s.setString(3, ref.version());
      List<ActiveTable> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          TableProgress committed =
              new TableProgress(
                  r.getString(1),
                  r.getLong(2),
                  getLong(r, 3),
                  r.getLong(4),
                  r.getLong(5),
                  r.getLong(6));
          String status = r.getString(9);
          out.add(
              new ActiveTable(
                  committed,
                  getLong(r, 7),
                  getLong(r, 8),
                  Optional.ofNullable(status).map(JobStatus::valueOf)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new MetadbException("cannot read the progress of dataset " + ref, e);
    }
  }

  private static String segmentJson(Map<String, LiveProgress.Pending> segment) {
    ObjectNode out = JSON.createObjectNode();
    segment.forEach(
        (table, p) -> out.putObject(table).put("rows", p.rows()).put("bytes", p.bytes()));
    return out.toString();
  }

  private static Map<String, LiveProgress.Pending> segment(String json) {
    Map<String, LiveProgress.Pending> out = new LinkedHashMap<>();
    try {
      JsonNode tree = JSON.readTree(json);
      for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(
            e.getKey(),
            new LiveProgress.Pending(
                e.getValue().path("rows").asLong(), e.getValue().path("bytes").asLong()));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("job_progress.segment is not JSON: " + e.getMessage(), e);
    }
    return out;
  }

  private static void setLong(PreparedStatement s, int index, OptionalLong value)
      throws SQLException {
    if (value.isPresent()) {
      s.setLong(index, value.getAsLong());
    } else {
      s.setNull(index, Types.BIGINT);
    }
  }

  private static OptionalLong getLong(ResultSet r, int index) throws SQLException {
    long v = r.getLong(index);
    return r.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
  }
}
