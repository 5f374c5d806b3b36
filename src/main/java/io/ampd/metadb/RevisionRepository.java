package io.ampd.metadb;

import io.ampd.registry.DatasetRef;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Table revisions as the admin API shows and changes them: list, activate, deactivate, delete.
 *
 * <p>Deleting a revision is two steps in this order: its records go (one transaction: the revision,
 * its files and its progress), then its directory. A crash between them leaves a directory no
 * record names, which {@link #recordedPaths} lets the next start find and remove; the reverse order
 * could leave records of files that are gone, which queries would fail on.
 */
public final class RevisionRepository {
  private static final String COLUMNS =
      "r.id, r.dataset_namespace, r.dataset_name, r.dataset_version, r.table_name, r.path,"
          + " r.active, r.writer, j.status AS writer_status, d.manifest_hash, p.last_block,"
          + " (SELECT count(*) FROM files f WHERE f.revision_id = r.id) AS files,"
          + " (SELECT coalesce(sum(f.row_count), 0) FROM files f WHERE f.revision_id = r.id)"
          + " AS row_count,"
          + " (SELECT coalesce(sum(f.size_bytes), 0) FROM files f WHERE f.revision_id = r.id)"
          + " AS size_bytes,"
          + " r.created_at"
          + " FROM table_revisions r"
          + " JOIN datasets d ON d.namespace = r.dataset_namespace AND d.name = r.dataset_name"
          + " AND d.version = r.dataset_version"
          + " LEFT JOIN jobs j ON j.id = r.writer"
          + " LEFT JOIN extraction_progress p ON p.revision_id = r.id";

  /**
   * One revision with what it holds.
   *
   * @param id its id (Amp's location id)
   * @param dataset the dataset version it belongs to
   * @param table the table
   * @param path its directory, relative to {@code data_dir}
   * @param active whether queries read it
   * @param writer the job that writes (or last wrote) it
   * @param writerStatus that job's status, when the job still exists
   * @param manifestHash the dataset version's manifest hash
   * @param lastBlock the last block recorded; empty before the first segment
   * @param files files recorded
   * @param rows rows in them
   * @param bytes their size
   * @param createdAt when it was made
   */
  public record Revision(
      long id,
      DatasetRef dataset,
      String table,
      String path,
      boolean active,
      OptionalLong writer,
      Optional<JobStatus> writerStatus,
      String manifestHash,
      OptionalLong lastBlock,
      long files,
      long rows,
      long bytes,
      Instant createdAt) {}

  private final DataSource dataSource;

  public RevisionRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Revisions by id, newest first; {@code active} filters when present. */
  public List<Revision> list(Optional<Boolean> active, int limit) {
    return Sql.autoCommit(
        dataSource,
        c -> {
          String sql =
              "SELECT "
                  + COLUMNS
                  + (active.isPresent() ? " WHERE r.active = ?" : "")
                  + " ORDER BY r.id DESC LIMIT ?";
          try (PreparedStatement s =
              active.isPresent()
                  ? Sql.prepare(c, sql, active.get(), limit)
                  : Sql.prepare(c, sql, limit)) {
            return read(s);
          }
        });
  }

  /** The revisions of one dataset version's table, oldest first. */
  public List<Revision> ofTable(DatasetRef dataset, String table) {
    return Sql.autoCommit(
        dataSource,
        c -> {
          try (PreparedStatement s =
              Sql.prepare(
                  c,
                  "SELECT "
                      + COLUMNS
                      + " WHERE r.dataset_namespace = ? AND r.dataset_name = ?"
                      + " AND r.dataset_version = ? AND r.table_name = ? ORDER BY r.id",
                  dataset.namespace(),
                  dataset.name(),
                  dataset.version(),
                  table)) {
            return read(s);
          }
        });
  }

  public Optional<Revision> find(long id) {
    return Sql.autoCommit(
        dataSource,
        c -> {
          try (PreparedStatement s = Sql.prepare(c, "SELECT " + COLUMNS + " WHERE r.id = ?", id)) {
            return read(s).stream().findFirst();
          }
        });
  }

  /**
   * Makes revision {@code id} the one queries read for its table, in one transaction with the old
   * one's deactivation. False when there is no such revision.
   */
  public boolean activate(long id) {
    return Sql.inTransaction(dataSource, c -> FileRepository.activate(c, id));
  }

  /** Deactivates every revision of a table: queries then see it empty. Returns how many were. */
  public int deactivate(DatasetRef dataset, String table) {
    return Sql.inTransaction(
        dataSource,
        c ->
            Sql.update(
                c,
                "UPDATE table_revisions SET active = false WHERE dataset_namespace = ?"
                    + " AND dataset_name = ? AND dataset_version = ? AND table_name = ? AND active",
                dataset.namespace(),
                dataset.name(),
                dataset.version(),
                table));
  }

  /** The outcome of {@link #deleteRecords}. */
  public sealed interface Deletion {}

  /** Its records are gone; its directory {@code path} (relative to data_dir) is to be removed. */
  public record Deleted(String path, long files) implements Deletion {}

  /** No such revision. */
  public record NotFound() implements Deletion {}

  /** The revision is active: deactivate it (or activate another) first. */
  public record IsActive() implements Deletion {}

  /** Its writer job has not finished (it may still write). */
  public record WriterActive(long jobId, JobStatus status) implements Deletion {}

  /**
   * Deletes revision {@code id}'s records (the revision, its files, its progress) in one
   * transaction, unless it is active or its writer job has not finished. The writer job's row is
   * locked meanwhile, so it cannot be resumed into the revision being deleted.
   */
  public Deletion deleteRecords(long id) {
    return Sql.inTransaction(
        dataSource,
        c -> {
          String path;
          boolean active;
          long writer;
          try (PreparedStatement s =
                  Sql.prepare(
                      c,
                      "SELECT path, active, writer FROM table_revisions WHERE id = ? FOR UPDATE",
                      id);
              ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              return new NotFound();
            }
            path = r.getString(1);
            active = r.getBoolean(2);
            writer = r.getLong(3);
            if (r.wasNull()) {
              writer = -1;
            }
          }
          if (active) {
            return new IsActive();
          }
          if (writer > 0) {
            try (PreparedStatement s =
                    Sql.prepare(c, "SELECT status FROM jobs WHERE id = ? FOR SHARE", writer);
                ResultSet r = s.executeQuery()) {
              if (r.next()) {
                JobStatus status = JobStatus.valueOf(r.getString(1));
                if (!status.terminal()) {
                  return new WriterActive(writer, status);
                }
              }
            }
          }
          long files;
          try (PreparedStatement s =
                  Sql.prepare(c, "SELECT count(*) FROM files WHERE revision_id = ?", id);
              ResultSet r = s.executeQuery()) {
            r.next();
            files = r.getLong(1);
          }
          Sql.update(c, "DELETE FROM table_revisions WHERE id = ?", id);
          return new Deleted(path, files);
        });
  }

  /** The directory of every recorded revision, relative to {@code data_dir}. */
  public Set<String> recordedPaths() {
    return Sql.autoCommit(
        dataSource,
        c -> {
          Set<String> out = new HashSet<>();
          try (PreparedStatement s = c.prepareStatement("SELECT path FROM table_revisions");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(r.getString(1));
            }
          }
          return out;
        });
  }

  private static List<Revision> read(PreparedStatement s) throws SQLException {
    List<Revision> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        long writer = r.getLong("writer");
        OptionalLong w = r.wasNull() ? OptionalLong.empty() : OptionalLong.of(writer);
        String status = r.getString("writer_status");
        long last = r.getLong("last_block");
        OptionalLong lastBlock = r.wasNull() ? OptionalLong.empty() : OptionalLong.of(last);
        out.add(
            new Revision(
                r.getLong("id"),
                new DatasetRef(
                    r.getString("dataset_namespace"),
                    r.getString("dataset_name"),
                    r.getString("dataset_version")),
                r.getString("table_name"),
                r.getString("path"),
                r.getBoolean("active"),
                w,
                Optional.ofNullable(status).map(JobStatus::valueOf),
                r.getString("manifest_hash"),
                lastBlock,
                r.getLong("files"),
                r.getLong("row_count"),
                r.getLong("size_bytes"),
                Sql.instant(r, "created_at")));
      }
    }
    return out;
  }
}
