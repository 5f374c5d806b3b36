package io.ampd.metadb;

import io.ampd.registry.DatasetRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The SQL of {@code table_revisions}, {@code files} and {@code extraction_progress}: a segment's
 * files and the progress they make are written in one transaction.
 *
 * <p>Progress advances by compare-and-set: {@link #recordSegment} names the last block it continues
 * from, and records nothing if that is no longer the recorded one. Blocks of a revision are
 * therefore recorded contiguously, each once, even if two workers ran the same job at once.
 */
public final class FileRepository {
  private static final String PG_UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;

  public FileRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The revisions job {@code jobId} writes, one per table in {@code tables} order, chosen on the
   * job's first run and kept by later runs (its {@code writer}):
   *
   * <ul>
   *   <li>a job deployed as usual continues the table's active revision: it becomes that revision's
   *       writer and goes on from its recorded progress, so the same blocks are never written
   *       twice;
   *   <li>a table with no active revision gets a new one, active at once;
   *   <li>a fresh extraction (the job's descriptor has {@code "fresh": true}, from a redump) gets
   *       new revisions, inactive while an active one exists: {@link #recordSegment} activates them
   *       once they have caught up with it.
   * </ul>
   *
   * New revisions go to {@code pathOf(table)}, of Parquet schema version {@code schemaVersion}. A
   * revision of another version that has no file yet is taken to this version; one with files
   * keeps its version, and the caller must not write into it (it says so in {@link
   * TableRevision#schemaVersion}).
   */
  public List<TableRevision> revisionsOfJob(
      long jobId,
      DatasetRef dataset,
      List<String> tables,
      Function<String, String> pathOf,
      int schemaVersion) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try {
          boolean fresh = isFresh(c, jobId);
          List<TableRevision> out = new ArrayList<>();
          for (String table : tables) {
            TableRevision r =
                revision(c, jobId, fresh, dataset, table, pathOf.apply(table), schemaVersion);
            if (r.schemaVersion() != schemaVersion && !hasFiles(c, r.id())) {
              r = adoptSchemaVersion(c, r, schemaVersion);
            }
            out.add(r);
          }
          c.commit();
          return out;
        } catch (SQLException e) {
          c.rollback();
          // Two jobs of one dataset table starting at once may both try to be the active one.
          if (attempt < 3 && PG_UNIQUE_VIOLATION.equals(e.getSQLState())) {
            continue;
          }
          throw e;
        }
      } catch (SQLException e) {
        throw new MetadbException("cannot create table revisions of job " + jobId, e);
      }
    }
  }

  private static boolean isFresh(Connection c, long jobId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT coalesce((descriptor->>'fresh')::boolean, false) FROM jobs WHERE id = ?")) {
      s.setLong(1, jobId);
      try (ResultSet r = s.executeQuery()) {
        return r.next() && r.getBoolean(1);
      }
    }
  }

  private static boolean hasFiles(Connection c, long revisionId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT EXISTS (SELECT 1 FROM files WHERE revision_id = ?)")) {
      s.setLong(1, revisionId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }

  private static TableRevision adoptSchemaVersion(Connection c, TableRevision r, int version)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE table_revisions SET schema_version = ? WHERE id = ?")) {
      s.setInt(1, version);
      s.setLong(2, r.id());
      s.executeUpdate();
    }
    return new TableRevision(r.id(), r.table(), r.path(), r.active(), version);
  }

  private static TableRevision revision(
      Connection c,
      long jobId,
      boolean fresh,
      DatasetRef dataset,
      String table,
      String path,
      int schemaVersion)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT id, path, active, schema_version FROM table_revisions"
                + " WHERE writer = ? AND table_name = ?"
                + " AND dataset_namespace = ? AND dataset_name = ? AND dataset_version = ?"
                + " ORDER BY id LIMIT 1")) {
      s.setLong(1, jobId);
      s.setString(2, table);
      setDataset(s, 3, dataset);
      try (ResultSet r = s.executeQuery()) {
        if (r.next()) {
          return new TableRevision(
              r.getLong(1), table, r.getString(2), r.getBoolean(3), r.getInt(4));
        }
      }
    }
    if (!fresh) {
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE table_revisions SET writer = ? WHERE id = (SELECT id FROM table_revisions"
                  + "  WHERE dataset_namespace = ? AND dataset_name = ? AND dataset_version = ?"
                  + "  AND table_name = ? AND active FOR UPDATE)"
                  + " RETURNING id, path, schema_version")) {
        s.setLong(1, jobId);
        setDataset(s, 2, dataset);
        s.setString(5, table);
        try (ResultSet r = s.executeQuery()) {
          if (r.next()) {
            return new TableRevision(r.getLong(1), table, r.getString(2), true, r.getInt(3));
          }
        }
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO table_revisions (dataset_namespace, dataset_name, dataset_version,"
                + " table_name, path, writer, schema_version, active)"
                + " SELECT ?, ?, ?, ?, ?, ?, ?, NOT EXISTS (SELECT 1 FROM table_revisions"
                + "  WHERE dataset_namespace = ? AND dataset_name = ? AND dataset_version = ?"
                + "  AND table_name = ? AND active)"
                + " RETURNING id, active")) {
      setDataset(s, 1, dataset);
      s.setString(4, table);
      s.setString(5, path);
      s.setLong(6, jobId);
      s.setInt(7, schemaVersion);
      setDataset(s, 8, dataset);
      s.setString(11, table);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return new TableRevision(r.getLong(1), table, path, r.getBoolean(2), schemaVersion);
      }
    }
  }

  /**
   * What a revision has recorded: its last block (empty: no segment yet) and that block's hash
   * (null when there is none, or when it was recorded before schema version 3 kept hashes).
   */
  public record Recorded(OptionalLong lastBlock, byte[] lastBlockHash) {}

  /** What each revision has recorded ({@link Recorded}), in the order of {@code revisionIds}. */
  public Map<Long, Recorded> recorded(List<Long> revisionIds) {
    Map<Long, Recorded> out = new LinkedHashMap<>();
    for (Long id : revisionIds) {
      out.put(id, new Recorded(OptionalLong.empty(), null));
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT revision_id, last_block, last_block_hash FROM extraction_progress"
                    + " WHERE revision_id = ANY(?)")) {
      s.setArray(1, c.createArrayOf("bigint", revisionIds.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getLong(1), new Recorded(OptionalLong.of(r.getLong(2)), r.getBytes(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new MetadbException("cannot read extraction progress", e);
    }
  }

  /** Names of the files recorded in a revision. */
  public Set<String> fileNames(long revisionId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT file_name FROM files WHERE revision_id = ?")) {
      s.setLong(1, revisionId);
      Set<String> out = new HashSet<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new MetadbException("cannot read files of revision " + revisionId, e);
    }
  }

  /**
   * Records one segment in one transaction: its files, and every file's revision's progress set to
   * {@code lastBlock} (whose hash is {@code lastHash}, 32 bytes), provided each revision's recorded
   * last block is still {@code previousLast} (empty: none recorded yet).
   *
   * @throws ProgressConflictException if some revision's progress moved meanwhile
   */
  public void recordSegment(
      List<NewFile> files, OptionalLong previousLast, long lastBlock, byte[] lastHash)
      throws ProgressConflictException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Set<Long> revisions = new java.util.LinkedHashSet<>();
        try (PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO files (revision_id, file_name, size_bytes, row_count, block_start,"
                    + " block_end) VALUES (?, ?, ?, ?, ?, ?)")) {
          for (NewFile f : files) {
            s.setLong(1, f.revisionId());
            s.setString(2, f.fileName());
            s.setLong(3, f.sizeBytes());
            s.setLong(4, f.rowCount());
            s.setLong(5, f.blockStart());
            s.setLong(6, f.blockEnd());
            s.addBatch();
            revisions.add(f.revisionId());
          }
          s.executeBatch();
        }
        for (long revision : revisions) {
          if (!advance(c, revision, previousLast, lastBlock, lastHash)) {
            c.rollback();
            throw new ProgressConflictException(
                "progress of table revision "
                    + revision
                    + " is no longer "
                    + (previousLast.isPresent() ? "at block " + previousLast.getAsLong() : "empty")
                    + ": another worker is writing it");
          }
        }
        activateCaughtUp(c, revisions, lastBlock);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        if (PG_UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw new ProgressConflictException(
              "a file of this segment is already recorded: another worker is writing it");
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new MetadbException("cannot record segment", e);
    }
  }

  /**
   * Activates those of {@code revisions} (just advanced to {@code lastBlock}) that are inactive and
   * have caught up with their table's active revision, in the segment's transaction: a query sees
   * the old revision's files or the new one's, never both and never neither. All revisions of a job
   * advance together, so its tables switch together.
   */
  private static void activateCaughtUp(Connection c, Set<Long> revisions, long lastBlock)
      throws SQLException {
    List<Long> switching = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT n.id FROM table_revisions n"
                + " WHERE n.id = ANY(?) AND NOT n.active AND NOT EXISTS ("
                + "  SELECT 1 FROM table_revisions a"
                + "  JOIN extraction_progress p ON p.revision_id = a.id"
                + "  WHERE a.active AND a.dataset_namespace = n.dataset_namespace"
                + "  AND a.dataset_name = n.dataset_name AND a.dataset_version = n.dataset_version"
                + "  AND a.table_name = n.table_name AND p.last_block > ?)")) {
      s.setArray(1, c.createArrayOf("bigint", revisions.toArray()));
      s.setLong(2, lastBlock);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          switching.add(r.getLong(1));
        }
      }
    }
    for (long id : switching) {
      activate(c, id);
    }
  }

  /**
   * Makes revision {@code id} its table's only active one (the old one first, since at most one may
   * be active at any moment). False when there is no such revision.
   */
  static boolean activate(Connection c, long id) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE table_revisions a SET active = false FROM table_revisions n WHERE n.id = ? AND"
                + " a.active AND a.id <> n.id AND a.dataset_namespace = n.dataset_namespace AND"
                + " a.dataset_name = n.dataset_name AND a.dataset_version = n.dataset_version AND"
                + " a.table_name = n.table_name")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement("UPDATE table_revisions SET active = true WHERE id = ?")) {
      s.setLong(1, id);
      return s.executeUpdate() == 1;
    }
  }

  private static boolean advance(
      Connection c, long revision, OptionalLong previous, long last, byte[] lastHash)
      throws SQLException {
    String sql =
        previous.isPresent()
            ? "UPDATE extraction_progress SET last_block = ?, last_block_hash = ?"
                + " WHERE revision_id = ? AND last_block = ?"
            : "INSERT INTO extraction_progress (last_block, last_block_hash, revision_id)"
                + " VALUES (?, ?, ?) ON CONFLICT (revision_id) DO NOTHING";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setLong(1, last);
      s.setBytes(2, lastHash);
      s.setLong(3, revision);
      if (previous.isPresent()) {
        s.setLong(4, previous.getAsLong());
      }
      return s.executeUpdate() == 1;
    }
  }

  /** Per-table progress of the revisions job {@code jobId} writes, in the order they were made. */
  public List<TableProgress> progressOfJob(long jobId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT r.table_name, r.id, p.last_block, count(f.id),"
                    + " coalesce(sum(f.row_count), 0), coalesce(sum(f.size_bytes), 0)"
                    + " FROM table_revisions r"
                    + " LEFT JOIN extraction_progress p ON p.revision_id = r.id"
                    + " LEFT JOIN files f ON f.revision_id = r.id"
                    + " WHERE r.writer = ?"
                    + " GROUP BY r.table_name, r.id, p.last_block ORDER BY r.id")) {
      s.setLong(1, jobId);
      List<TableProgress> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long last = r.getLong(3);
          OptionalLong lastBlock = r.wasNull() ? OptionalLong.empty() : OptionalLong.of(last);
          out.add(
              new TableProgress(
                  r.getString(1),
                  r.getLong(2),
                  lastBlock,
                  r.getLong(4),
                  r.getLong(5),
                  r.getLong(6)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new MetadbException("cannot read progress of job " + jobId, e);
    }
  }

  private static void setDataset(PreparedStatement s, int first, DatasetRef dataset)
      throws SQLException {
    s.setString(first, dataset.namespace());
    s.setString(first + 1, dataset.name());
    s.setString(first + 2, dataset.version());
  }
}
