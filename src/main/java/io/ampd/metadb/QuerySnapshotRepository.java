package io.ampd.metadb;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.ampd.Json;
import io.ampd.metadb.QuerySnapshot.DatasetRequest;
import io.ampd.metadb.QuerySnapshot.File;
import io.ampd.metadb.QuerySnapshot.ResolvedDataset;
import io.ampd.metadb.QuerySnapshot.TableFiles;
import io.ampd.metadb.QuerySnapshot.TableKey;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ManifestParser;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Reads a query's {@link QuerySnapshot}: every dataset and table it names, resolved and listed in
 * one read-only REPEATABLE READ transaction, so that all tables of a query come from the same
 * moment (a segment committed meanwhile is seen in all of its tables or in none).
 *
 * <p>Resolution of {@code [namespace/]name[@revision]}: the namespace and name as written, or else
 * the one dataset they match ignoring case (unquoted SQL identifiers); the revision a version of
 * that name, else a manifest hash (64 hex digits: the newest version with that manifest), else
 * {@code latest} or nothing: the newest registered version whose tables have recorded data, or the
 * newest version when none has.
 */
public final class QuerySnapshotRepository {
  private static final Pattern MANIFEST_HASH = Pattern.compile("[0-9a-f]{64}");

  private final DataSource dataSource;

  public QuerySnapshotRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The outcome of a read: the snapshot, or the first request that names nothing. */
  public sealed interface Result {}

  /** Every request resolved. */
  public record Found(QuerySnapshot snapshot) implements Result {}

  /** A dataset that does not exist. */
  public record NoDataset(DatasetRequest request) implements Result {}

  /** A dataset without that table. */
  public record NoTable(TableKey key, ResolvedDataset dataset) implements Result {}

  /**
   * Resolves {@code tables} (and their datasets) and lists their files.
   *
   * @throws MetadbException when the database fails or does not answer
   */
  public Result read(List<TableKey> tables) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (Statement s = c.createStatement()) {
          s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
        }
        Map<DatasetRequest, ResolvedDataset> datasets = new LinkedHashMap<>();
        Map<TableKey, TableFiles> files = new LinkedHashMap<>();
        for (TableKey key : tables) {
          ResolvedDataset dataset = datasets.get(key.dataset());
          if (dataset == null) {
            dataset = resolve(c, key.dataset());
            if (dataset == null) {
              return new NoDataset(key.dataset());
            }
            datasets.put(key.dataset(), dataset);
          }
          if (!dataset.tables().contains(key.table())) {
            return new NoTable(key, dataset);
          }
          if (!files.containsKey(key)) {
            files.put(key, files(c, dataset, key.table()));
          }
        }
        return new Found(new QuerySnapshot(datasets, files));
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new MetadbException("reading the files of a query", e);
    }
  }

  private record Version(
      String namespace, String name, String version, String hash, String content, boolean data) {}

  private static ResolvedDataset resolve(Connection c, DatasetRequest request) throws SQLException {
    List<Version> all = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT d.namespace, d.name, d.version, d.manifest_hash, m.content::text,"
                + " EXISTS (SELECT 1 FROM table_revisions r JOIN files f ON f.revision_id = r.id"
                + "   WHERE r.active AND r.dataset_namespace = d.namespace"
                + "   AND r.dataset_name = d.name AND r.dataset_version = d.version)"
                + " FROM datasets d JOIN manifests m ON m.hash = d.manifest_hash"
                + " WHERE lower(d.namespace) = lower(?) AND lower(d.name) = lower(?)"
                + " ORDER BY d.created_at DESC, d.version DESC")) {
      s.setString(1, request.namespace());
      s.setString(2, request.name());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          all.add(
              new Version(
                  r.getString(1),
                  r.getString(2),
                  r.getString(3),
                  r.getString(4),
                  r.getString(5),
                  r.getBoolean(6)));
        }
      }
    }
    List<Version> named = sameName(all, request);
    Version chosen = choose(named, request.revision());
    if (chosen == null) {
      return null;
    }
    EvmRpcManifest manifest = manifest(chosen.content());
    List<String> tables = new ArrayList<>();
    for (EvmTable t : manifest.tables()) {
      tables.add(t.tableName());
    }
    return new ResolvedDataset(
        new DatasetRef(chosen.namespace(), chosen.name(), chosen.version()),
        manifest.network(),
        List.copyOf(tables));
  }

  /** The versions of the dataset named exactly so, else of the one dataset named so in any case. */
  private static List<Version> sameName(List<Version> all, DatasetRequest request) {
    List<Version> exact = new ArrayList<>();
    for (Version v : all) {
      if (v.namespace().equals(request.namespace()) && v.name().equals(request.name())) {
        exact.add(v);
      }
    }
    if (!exact.isEmpty() || all.isEmpty()) {
      return exact;
    }
    Version first = all.get(0);
    for (Version v : all) {
      if (!v.namespace().equals(first.namespace()) || !v.name().equals(first.name())) {
        return List.of(); // several datasets differ only in case: the reference is ambiguous
      }
    }
    return all;
  }

  private static Version choose(List<Version> versions, String revision) {
    if (revision != null) {
      for (Version v : versions) {
        if (v.version().equals(revision)) {
          return v;
        }
      }
      if (MANIFEST_HASH.matcher(revision).matches()) {
        for (Version v : versions) {
          if (v.hash().equals(revision)) {
            return v;
          }
        }
        return null;
      }
      if (!revision.equals("latest")) {
        return null;
      }
    }
    for (Version v : versions) {
      if (v.data()) {
        return v;
      }
    }
    return versions.isEmpty() ? null : versions.get(0);
  }

  private static TableFiles files(Connection c, ResolvedDataset dataset, String table)
      throws SQLException {
    DatasetRef ref = dataset.ref();
    long revision;
    String path;
    OptionalLong lastBlock = OptionalLong.empty();
    byte[] lastHash = null;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT r.id, r.path, p.last_block, p.last_block_hash FROM table_revisions r"
                + " LEFT JOIN extraction_progress p ON p.revision_id = r.id"
                + " WHERE r.active AND r.dataset_namespace = ? AND r.dataset_name = ?"
                + " AND r.dataset_version = ? AND r.table_name = ?")) {
      s.setString(1, ref.namespace());
      s.setString(2, ref.name());
      s.setString(3, ref.version());
      s.setString(4, table);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return new TableFiles(
              ref, dataset.network(), table, null, List.of(), OptionalLong.empty(), null);
        }
        revision = r.getLong(1);
        path = r.getString(2);
        long last = r.getLong(3);
        if (!r.wasNull()) {
          lastBlock = OptionalLong.of(last);
          lastHash = r.getBytes(4);
        }
      }
    }
    List<File> files = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT file_name, block_start, block_end, row_count, size_bytes FROM files"
                + " WHERE revision_id = ? ORDER BY block_start, file_name")) {
      s.setLong(1, revision);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          files.add(
              new File(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5)));
        }
      }
    }
    return new TableFiles(
        ref, dataset.network(), table, path, List.copyOf(files), lastBlock, lastHash);
  }

  private static EvmRpcManifest manifest(String json) throws SQLException {
    try {
      return ManifestParser.parse(Json.MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw new SQLException("manifests.content is not JSON", e);
    }
  }

  /** Every registered dataset version with its network and tables, by name then version. */
  public List<ResolvedDataset> datasets() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT d.namespace, d.name, d.version, m.content::text FROM datasets d"
                    + " JOIN manifests m ON m.hash = d.manifest_hash"
                    + " ORDER BY d.namespace, d.name, d.created_at, d.version");
        ResultSet r = s.executeQuery()) {
      List<ResolvedDataset> out = new ArrayList<>();
      while (r.next()) {
        EvmRpcManifest manifest = manifest(r.getString(4));
        List<String> tables = new ArrayList<>();
        for (EvmTable t : manifest.tables()) {
          tables.add(t.tableName());
        }
        out.add(
            new ResolvedDataset(
                new DatasetRef(r.getString(1), r.getString(2), r.getString(3)),
                manifest.network(),
                List.copyOf(tables)));
      }
      return out;
    } catch (SQLException e) {
      throw new MetadbException("listing the datasets", e);
    }
  }
}
