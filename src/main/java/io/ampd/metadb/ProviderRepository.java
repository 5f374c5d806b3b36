package io.ampd.metadb;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.ampd.core.Json;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.ProviderParser;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The SQL of the {@code providers} table.
 *
 * <p>{@code config} holds the whole provider document of {@link ProviderParser#toJson} with the URL
 * unredacted (workers need the credentials); everything leaving the API goes through the redacting
 * form. A row is read back through {@link ProviderParser#parse}, so a row edited by hand into
 * something invalid fails loudly instead of reaching a worker.
 *
 * <p><b>Deleting while deploying.</b> {@link #delete} locks the provider row ({@code FOR UPDATE})
 * before it looks for unfinished jobs using it ({@code jobs.descriptor->>'provider'}). A deploy
 * that reads the provider with {@code FOR SHARE} ({@link #findForShare}) in the transaction that
 * inserts its job therefore either finishes first (and the delete sees its job) or waits for the
 * delete (and finds no provider).
 */
public final class ProviderRepository {
  /** Job statuses after which a job never runs again; any other status still uses its provider. */
  public static final List<String> TERMINAL_JOB_STATUSES = List.of("COMPLETED", "STOPPED", "FATAL");

  /** What {@link #upsert} did. */
  public enum Upsert {
    CREATED,
    REPLACED,
    UNCHANGED
  }

  /** The outcome of {@link #upsert}: what happened and the row as it now is. */
  public record Upserted(Upsert outcome, StoredProvider stored) {}

  private static final String COLUMNS = "config::text, created_at, updated_at";

  private final DataSource dataSource;

  public ProviderRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Optional<ProviderConfig> find(String name) {
    return findStored(name).map(StoredProvider::provider);
  }

  /** The provider with its timestamps. */
  public Optional<StoredProvider> findStored(String name) {
    try (Connection c = dataSource.getConnection()) {
      return one(c, "SELECT " + COLUMNS + " FROM providers WHERE name = ?", name);
    } catch (SQLException e) {
      throw RepositoryErrors.failed("reading provider " + name, e);
    }
  }

  /**
   * The provider, read with a {@code FOR SHARE} lock on {@code connection}'s transaction: a
   * concurrent {@link #delete} waits until that transaction ends. For deploys.
   */
  public Optional<ProviderConfig> findForShare(Connection connection, String name)
      throws SQLException {
    return one(connection, "SELECT " + COLUMNS + " FROM providers WHERE name = ? FOR SHARE", name)
        .map(StoredProvider::provider);
  }

  /** Providers serving {@code network}, by name. */
  public List<ProviderConfig> findByNetwork(String network) {
    List<ProviderConfig> out = new ArrayList<>();
    for (StoredProvider p :
        many(
            "SELECT " + COLUMNS + " FROM providers WHERE config->>'network' = ? ORDER BY name",
            network)) {
      out.add(p.provider());
    }
    return out;
  }

  /** Every provider, by name. */
  public List<StoredProvider> list() {
    return many("SELECT " + COLUMNS + " FROM providers ORDER BY name", null);
  }

  /** Creates the provider, or replaces the one of the same name. */
  public Upserted upsert(ProviderConfig provider) {
    try (Connection c = dataSource.getConnection()) {
      return upsert(c, provider);
    } catch (SQLException e) {
      throw RepositoryErrors.failed("storing provider " + provider.name(), e);
    }
  }

  /** Upserts every provider in one transaction (the providers of {@code providers_dir}). */
  public List<Upserted> upsertAll(List<ProviderConfig> providers) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Upserted> out = new ArrayList<>();
        for (ProviderConfig p : providers) {
          out.add(upsert(c, p));
        }
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw RepositoryErrors.failed("storing providers", e);
    }
  }

  private Upserted upsert(Connection c, ProviderConfig provider) throws SQLException {
    String config = json(provider);
    // xmax = 0 only on a freshly inserted row; the WHERE leaves an unchanged row (and its
    // updated_at) alone, and then RETURNING gives nothing.
    String sql =
        "INSERT INTO providers (name, kind, config) VALUES (?, ?, ?::jsonb)"
            + " ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, config = EXCLUDED.config"
            + " WHERE providers.kind IS DISTINCT FROM EXCLUDED.kind"
            + " OR providers.config IS DISTINCT FROM EXCLUDED.config"
            + " RETURNING "
            + COLUMNS
            + ", xmax = 0";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, provider.name());
      s.setString(2, provider.kind());
      s.setString(3, config);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          return new Upserted(rs.getBoolean(4) ? Upsert.CREATED : Upsert.REPLACED, row(rs));
        }
      }
    }
    StoredProvider stored =
        one(c, "SELECT " + COLUMNS + " FROM providers WHERE name = ?", provider.name())
            .orElseThrow(() -> new SQLException("provider " + provider.name() + " vanished"));
    return new Upserted(Upsert.UNCHANGED, stored);
  }

  /**
   * Deletes the provider; false when there is none.
   *
   * @throws ProviderInUseException when a job that has not finished uses it
   */
  public boolean delete(String name) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        boolean deleted = delete(c, name);
        c.commit();
        return deleted;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw RepositoryErrors.failed("deleting provider " + name, e);
    }
  }

  private static boolean delete(Connection c, String name) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT 1 FROM providers WHERE name = ? FOR UPDATE")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
      }
    }
    List<Long> jobs = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT id FROM jobs WHERE descriptor->>'provider' = ?"
                + " AND NOT status = ANY(?) ORDER BY id")) {
      s.setString(1, name);
      s.setArray(2, c.createArrayOf("text", TERMINAL_JOB_STATUSES.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          jobs.add(rs.getLong(1));
        }
      }
    }
    if (!jobs.isEmpty()) {
      throw new ProviderInUseException(name, jobs);
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM providers WHERE name = ?")) {
      s.setString(1, name);
      return s.executeUpdate() == 1;
    }
  }

  private Optional<StoredProvider> one(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  private List<StoredProvider> many(String sql, String arg) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      if (arg != null) {
        s.setString(1, arg);
      }
      List<StoredProvider> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw RepositoryErrors.failed("listing providers", e);
    }
  }

  private static StoredProvider row(ResultSet rs) throws SQLException {
    ProviderConfig provider;
    try {
      provider = ProviderParser.parse(Json.MAPPER.readTree(rs.getString(1)));
    } catch (JsonProcessingException e) {
      throw new SQLException("providers.config is not JSON", e);
    }
    return new StoredProvider(
        provider, rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant());
  }

  private static String json(ProviderConfig provider) {
    try {
      return Json.MAPPER.writeValueAsString(ProviderParser.toJson(provider, false));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
