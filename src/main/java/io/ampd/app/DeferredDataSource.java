package io.ampd.app;

import io.ampd.core.AmpdException;
import io.ampd.metadb.MetadataDb;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that exists before the pool does: the admin API binds first and builds its routes
 * at once, while PostgreSQL and the pool are still starting. Until {@link #set} is called, every
 * use fails with an {@link AmpdException}, which the API answers with 503.
 */
final class DeferredDataSource implements DataSource {
  private final Duration wait; // null: the pool's own
  private volatile MetadataDb db;

  /** Connections wait for a free one as long as the pool does. */
  DeferredDataSource() {
    this(null);
  }

  /** Connections wait at most {@code wait} for a free one ({@link MetadataDb#connection}). */
  DeferredDataSource(Duration wait) {
    this.wait = wait;
  }

  void set(MetadataDb db) {
    this.db = db;
  }

  private MetadataDb db() {
    MetadataDb d = db;
    if (d == null) {
      throw new AmpdException("the metadata database is not ready yet", "retry in a moment");
    }
    return d;
  }

  private DataSource target() {
    return db().dataSource();
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wait == null ? target().getConnection() : db().connection(wait);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return target().getConnection(username, password);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target().getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target().setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target().setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target().getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    return target().unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return target().isWrapperFor(type);
  }
}
