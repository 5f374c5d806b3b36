package io.ampd.metadb;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.ampd.core.Json;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Reads a query's {@link QuerySnapshot}: every dataset and table it names, resolved, and the files
 * of all its tables listed by one statement, so that all tables of a query come from the same
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
   * Resolves {@code tables} (and their datasets) and lists their files: two statements, one that
   * resolves every dataset and one that lists the files of every table. All files come from the
   * second statement, one moment of the database: a segment committed meanwhile is in all of its
   * tables or in none. (A version that gets its first data between the two statements is taken for
   * one without; the answer is still that of one moment, just before.)
   *
   * @throws MetadbException when the database fails or does not answer
   */
  public Result read(List<TableKey> tables) {
    List<DatasetRequest> requests = new ArrayList<>();
    for (TableKey key : tables) {
      if (!requests.contains(key.dataset())) {
        requests.add(key.dataset());
      }
    }
    try (Connection c = dataSource.getConnection()) {
      Map<DatasetRequest, ResolvedDataset> datasets = resolve(c, requests);
      for (DatasetRequest request : requests) {
        if (!datasets.containsKey(request)) {
          return new NoDataset(request);
        }
      }
      for (TableKey key : tables) {
        ResolvedDataset dataset = datasets.get(key.dataset());
        if (!dataset.tables().contains(key.table())) {
          return new NoTable(key, dataset);
        }
      }
      return new Found(new QuerySnapshot(datasets, files(c, tables, datasets)));
    } catch (SQLException e) {
      throw new MetadbException("reading the files of a query", e);
    }
  }

  private record Version(
      String namespace, String name, String version, String hash, String content, boolean data) {}

  /** Every request resolved to a version; requests that name none are left out. */
  private Map<DatasetRequest, ResolvedDataset> resolve(Connection c, List<DatasetRequest> requests)
      throws SQLException {
    List<List<Version>> candidates = new ArrayList<>();
    String[] namespaces = new String[requests.size()];
    String[] names = new String[requests.size()];
    for (int i = 0; i < requests.size(); i++) {
      candidates.add(new ArrayList<>());
      namespaces[i] = requests.get(i).namespace();
      names[i] = requests.get(i).name();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT q.ord, d.namespace, d.name, d.version, d.manifest_hash, m.content::text,"
                + " EXISTS (SELECT 1 FROM table_revisions r JOIN files f ON f.revision_id = r.id"
                + "   WHERE r.active AND r.dataset_namespace = d.namespace"
                + "   AND r.dataset_name = d.name AND r.dataset_version = d.version)"
                + " FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS q(ns, nm, ord)"
                + " JOIN datasets d ON lower(d.namespace) = lower(q.ns)"
                + "   AND lower(d.name) = lower(q.nm)"
                + " JOIN manifests m ON m.hash = d.manifest_hash"
                + " ORDER BY q.ord, d.created_at DESC, d.version DESC")) {
      s.setArray(1, c.createArrayOf("text", namespaces));
      s.setArray(2, c.createArrayOf("text", names));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          candidates
              .get(r.getInt(1) - 1)
              .add(
                  new Version(
                      r.getString(2),
                      r.getString(3),
                      r.getString(4),
                      r.getString(5),
                      r.getString(6),
                      r.getBoolean(7)));
        }
      }
    }
    Map<DatasetRequest, ResolvedDataset> out = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      DatasetRequest request = requests.get(i);
      Version chosen = choose(sameName(candidates.get(i), request), request.revision());
      if (chosen != null) {
        EvmRpcManifest manifest = manifests.computeIfAbsent(chosen.hash(), h -> parse(chosen));
        List<String> names2 = new ArrayList<>();
        for (EvmTable t : manifest.tables()) {
          names2.add(t.tableName());
        }
        out.put(
            request,
            new ResolvedDataset(
                new DatasetRef(chosen.namespace(), chosen.name(), chosen.version()),
                manifest.network(),
                List.copyOf(names2)));
      }
    }
    return out;
  }

  /** Parsed manifests by hash: a manifest's content never changes (it is addressed by it). */
  private final Map<String, EvmRpcManifest> manifests =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static EvmRpcManifest parse(Version v) {
    try {
      return manifest(v.content());
    } catch (SQLException e) {
      throw new IllegalStateException("manifest " + v.hash() + " is not JSON", e);
    }
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

  /** The files of every table's active revision, in one statement. */
  private static Map<TableKey, TableFiles> files(
      Connection c, List<TableKey> tables, Map<DatasetRequest, ResolvedDataset> datasets)
      throws SQLException {
    List<TableKey> keys = new ArrayList<>(new java.util.LinkedHashSet<>(tables));
    int n = keys.size();
    String[] namespaces = new String[n];
    String[] names = new String[n];
    String[] versions = new String[n];
    String[] tableNames = new String[n];
    for (int i = 0; i < n; i++) {
      DatasetRef ref = datasets.get(keys.get(i).dataset()).ref();
      namespaces[i] = ref.namespace();
      names[i] = ref.name();
      versions[i] = ref.version();
      tableNames[i] = keys.get(i).table();
    }
    String[] paths = new String[n];
    OptionalLong[] lastBlocks = new OptionalLong[n];
    byte[][] lastHashes = new byte[n][];
    List<List<File>> files = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      files.add(new ArrayList<>());
      lastBlocks[i] = OptionalLong.empty();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT q.ord, r.path, p.last_block, p.last_block_hash, f.file_name, f.block_start,"
                + " f.block_end, f.row_count, f.size_bytes"
                + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[])"
                + "   WITH ORDINALITY AS q(ns, nm, ver, tbl, ord)"
                + " JOIN table_revisions r ON r.active AND r.dataset_namespace = q.ns"
                + "   AND r.dataset_name = q.nm AND r.dataset_version = q.ver"
                + "   AND r.table_name = q.tbl"
                + " LEFT JOIN extraction_progress p ON p.revision_id = r.id"
                + " LEFT JOIN files f ON f.revision_id = r.id"
                + " ORDER BY q.ord, f.block_start, f.file_name")) {
      s.setArray(1, c.createArrayOf("text", namespaces));
      s.setArray(2, c.createArrayOf("text", names));
      s.setArray(3, c.createArrayOf("text", versions));
      s.setArray(4, c.createArrayOf("text", tableNames));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          int i = r.getInt(1) - 1;
          paths[i] = r.getString(2);
          long last = r.getLong(3);
          if (!r.wasNull()) {
            lastBlocks[i] = OptionalLong.of(last);
            lastHashes[i] = r.getBytes(4);
          }
          String file = r.getString(5);
          if (file != null) {
            files
                .get(i)
                .add(new File(file, r.getLong(6), r.getLong(7), r.getLong(8), r.getLong(9)));
          }
        }
      }
    }
    Map<TableKey, TableFiles> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      ResolvedDataset d = datasets.get(keys.get(i).dataset());
      out.put(
          keys.get(i),
          new TableFiles(
              d.ref(),
              d.network(),
              keys.get(i).table(),
              paths[i],
              List.copyOf(files.get(i)),
              lastBlocks[i],
              lastHashes[i]));
    }
    return out;
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
