package io.ampd;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that exists before the pool does: the admin API binds first and builds its routes
 * at once, while PostgreSQL and the pool are still starting. Until {@link #set} is called, every
 * use fails with an {@link AmpdException}, which the API answers with 503.
 */
final class DeferredDataSource implements DataSource {
  private volatile DataSource target;

  void set(DataSource target) {
    this.target = target;
  }

  private DataSource target() {
    DataSource t = target;
    if (t == null) {
      throw new AmpdException("the metadata database is not ready yet", "retry in a moment");
    }
    return t;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return target().getConnection();
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
