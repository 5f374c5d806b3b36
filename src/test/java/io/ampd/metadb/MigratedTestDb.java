package io.ampd.metadb;

import io.ampd.config.PgUrl;
import io.ampd.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A fresh database on the test PostgreSQL, migrated to the latest schema, with a small pool. One
 * per test class (migrating takes a moment); tests in the class use distinct names.
 */
public final class MigratedTestDb implements AutoCloseable {
  private final MetadataDb db;

  private MigratedTestDb(MetadataDb db) {
    this.db = db;
  }

  public static MigratedTestDb create(String prefix) {
    PgUrl url = TestPostgres.shared().createDatabase(prefix);
    Migrations.migrate(url, line -> {});
    return new MigratedTestDb(MetadataDb.open(url, 4, "ampd-test"));
  }

  public DataSource dataSource() {
    return db.dataSource();
  }

  /** Runs one statement; SQL errors come back as IllegalStateException. */
  public void execute(String sql) {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The single value of a query, as text. */
  public String queryText(String sql) {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    db.close();
  }
}
