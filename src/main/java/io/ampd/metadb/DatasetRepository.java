package io.ampd.metadb;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.ampd.core.Json;
import io.ampd.registry.Dataset;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.ManifestParser;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The SQL of the {@code manifests} and {@code datasets} tables.
 *
 * <p>Manifests are content-addressed: {@code manifests.hash} is {@link ManifestParser#hash} and
 * {@code content} its canonical JSON, stored once however many versions share it. A dataset
 * version, once registered, never changes: registering it again with the same manifest is a no-op,
 * with another manifest a {@link DatasetConflictException}. Registration runs in one transaction,
 * so a refused registration leaves no orphan manifest behind; two registrations racing for the same
 * version serialise on the primary key and the loser sees the winner's row.
 */
public final class DatasetRepository {
  /** The outcome of {@link #register}: the dataset as stored and whether this call created it. */
  public record Registered(Dataset dataset, boolean created) {}

  private final DataSource dataSource;

  public DatasetRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Optional<Dataset> find(DatasetRef ref) {
    String sql =
        "SELECT d.manifest_hash, m.content::text, d.created_at"
            + " FROM datasets d JOIN manifests m ON m.hash = d.manifest_hash"
            + " WHERE d.namespace = ? AND d.name = ? AND d.version = ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, ref);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Dataset(
                ref, rs.getString(1), manifest(rs.getString(2)), rs.getTimestamp(3).toInstant()));
      }
    } catch (SQLException e) {
      throw RepositoryErrors.failed("reading dataset " + ref, e);
    }
  }

  /**
   * Registers a dataset version: stores its manifest (once per content) and the version.
   *
   * @throws DatasetConflictException when the version exists with another manifest
   */
  public Registered register(DatasetRegistration registration) {
    DatasetRef ref = registration.ref();
    EvmRpcManifest manifest = registration.manifest();
    String hash = ManifestParser.hash(manifest);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Registered out = register(c, ref, manifest, hash);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw RepositoryErrors.failed("registering dataset " + ref, e);
    }
  }

  private static Registered register(
      Connection c, DatasetRef ref, EvmRpcManifest manifest, String hash) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO manifests (hash, kind, content) VALUES (?, ?, ?::jsonb)"
                + " ON CONFLICT (hash) DO NOTHING")) {
      s.setString(1, hash);
      s.setString(2, DatasetKind.EVM_RPC.kindName());
      s.setString(3, ManifestParser.canonicalText(manifest));
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO datasets (namespace, name, version, manifest_hash) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (namespace, name, version) DO NOTHING RETURNING created_at")) {
      bind(s, ref);
      s.setString(4, hash);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          return new Registered(
              new Dataset(ref, hash, manifest, rs.getTimestamp(1).toInstant()), true);
        }
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT manifest_hash, created_at FROM datasets"
                + " WHERE namespace = ? AND name = ? AND version = ?")) {
      bind(s, ref);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("dataset " + ref + " vanished while being registered");
        }
        String registered = rs.getString(1);
        if (!registered.equals(hash)) {
          throw new DatasetConflictException(ref, registered, hash);
        }
        return new Registered(
            new Dataset(ref, hash, manifest, rs.getTimestamp(2).toInstant()), false);
      }
    }
  }

  /** Every dataset version, by namespace, name, then registration order. */
  public List<DatasetVersion> list() {
    return versions(
        "SELECT namespace, name, version, manifest_hash, created_at FROM datasets"
            + " ORDER BY namespace, name, created_at, version");
  }

  /** The versions of {@code namespace/name} in registration order; empty when there are none. */
  public List<DatasetVersion> versions(String namespace, String name) {
    return versions(
        "SELECT namespace, name, version, manifest_hash, created_at FROM datasets"
            + " WHERE namespace = ? AND name = ? ORDER BY created_at, version",
        namespace,
        name);
  }

  private List<DatasetVersion> versions(String sql, String... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setString(i + 1, args[i]);
      }
      List<DatasetVersion> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(
              new DatasetVersion(
                  new DatasetRef(rs.getString(1), rs.getString(2), rs.getString(3)),
                  rs.getString(4),
                  rs.getTimestamp(5).toInstant()));
        }
      }
      return out;
    } catch (SQLException e) {
      throw RepositoryErrors.failed("listing datasets", e);
    }
  }

  /** The stored manifest of content address {@code hash}, if one is stored. */
  public Optional<EvmRpcManifest> storedManifest(String hash) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT content::text FROM manifests WHERE hash = ?")) {
      s.setString(1, hash);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(manifest(rs.getString(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw RepositoryErrors.failed("reading manifest " + hash, e);
    }
  }

  private static void bind(PreparedStatement s, DatasetRef ref) throws SQLException {
    s.setString(1, ref.namespace());
    s.setString(2, ref.name());
    s.setString(3, ref.version());
  }

  private static EvmRpcManifest manifest(String json) throws SQLException {
    try {
      return ManifestParser.parse(Json.MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw new SQLException("manifests.content is not JSON", e);
    }
  }
}
