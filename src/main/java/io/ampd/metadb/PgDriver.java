package io.ampd.metadb;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Connections to the metadata database made by pgjdbc's driver itself, not through {@link
 * java.sql.DriverManager}: the first use of DriverManager loads every JDBC driver on the class
 * path, and DuckDB's (the query server's engine) starts Java Flight Recorder's event classes as it
 * loads, about 135 ms on the start path of a solo that has not been asked a query yet (measured).
 */
public final class PgDriver implements DataSource {
  private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

  private final String url;
  private final Properties properties;
  private volatile int loginTimeoutSeconds;

  /**
   * A data source for a pool ({@code HikariConfig.setDataSource}).
   *
   * @param url a {@code jdbc:postgresql:} URL
   * @param properties pgjdbc's connection properties (copied)
   */
  public PgDriver(String url, Properties properties) {
    this.url = url;
    this.properties = new Properties();
    this.properties.putAll(properties);
  }

  /** One connection to {@code url} with {@code properties}. */
  public static Connection connect(String url, Properties properties) throws SQLException {
    Connection connection = DRIVER.connect(url, properties);
    if (connection == null) {
      // The driver answers null for a URL that is not its own; PgUrl only makes its own.
      throw new SQLException("not a PostgreSQL JDBC URL", "08001");
    }
    return connection;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connect(url, withLoginTimeout(properties));
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    Properties withUser = withLoginTimeout(properties);
    if (user != null) {
      withUser.setProperty("user", user);
    }
    if (password != null) {
      withUser.setProperty("password", password);
    }
    return connect(url, withUser);
  }

  /** The pool's login timeout, as DriverManager would pass it, unless the URL sets one. */
  private Properties withLoginTimeout(Properties base) {
    int seconds = loginTimeoutSeconds;
    if (seconds <= 0 || base.containsKey("loginTimeout")) {
      return base;
    }
    Properties copy = new Properties();
    copy.putAll(base);
    copy.setProperty("loginTimeout", Integer.toString(seconds));
    return copy;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // pgjdbc logs through java.util.logging; nothing to write here
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper of " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
