package io.ampd.metadb;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.ampd.AmpdException;
import io.ampd.config.PgUrl;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database connection pool (HikariCP over pgjdbc).
 *
 * <p>{@link #open} makes exactly one connection attempt before returning, so a wrong URL or a
 * database that is down fails at once with a readable error instead of surfacing later in a role.
 * That attempt is bounded by the URL's {@code connect_timeout} (pgjdbc's {@code
 * connectTimeout}/{@code loginTimeout}); the rest of the pool fills in the background ({@link
 * #MINIMUM_IDLE}), so start does not wait for {@code pool_size} connections.
 */
public final class MetadataDb implements AutoCloseable {
  /** The pool's name: Hikari's log lines and thread names carry it. */
  public static final String POOL_NAME = "metadb";

  /** Idle connections kept open (at most the pool size); more are made on demand. */
  static final int MINIMUM_IDLE = 2;

  /** Hikari's wait for a pooled connection when the URL gives no {@code connect_timeout}. */
  static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);

  /** Hikari refuses a connection timeout below 250 ms. */
  private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

  /** How long {@link #ping()} waits for a connection and for {@code SELECT 1}. */
  static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(MetadataDb.class);

  private final PgUrl url;
  private final HikariDataSource dataSource;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MetadataDb(PgUrl url, HikariDataSource dataSource) {
    this.url = url;
    this.dataSource = dataSource;
  }

  /**
   * Opens a pool of at most {@code poolSize} connections; fails fast with a readable error ({@code
   * failed to connect to metadata database (<redacted url>): <cause>}).
   *
   * @param applicationName PostgreSQL's {@code application_name}, unless the URL sets one
   */
  public static MetadataDb open(PgUrl url, int poolSize, String applicationName) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
    }
    PgUrl effective = url.withDefaultApplicationName(applicationName);
    HikariConfig config = hikariConfig(effective, poolSize);
    LOG.debug("opening metadata database pool on {} (max {} connections)", url, poolSize);
    try {
      return new MetadataDb(effective, new HikariDataSource(config));
    } catch (HikariPool.PoolInitializationException e) {
      SQLException denied = MetadbErrors.findSqlState(e, MetadbErrors.PERMISSION_DENIED_STATE);
      throw denied != null
          ? MetadbErrors.permissionDenied(url, denied)
          : MetadbErrors.connectionFailed(url, e);
    } catch (RuntimeException e) {
      throw MetadbErrors.translate(url, "failed to open metadata database pool", e);
    }
  }

  static HikariConfig hikariConfig(PgUrl url, int poolSize) {
    Properties properties = url.jdbcProperties();
    Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    if (url.connectTimeoutSeconds().isPresent() && url.connectTimeoutSeconds().getAsInt() > 0) {
      int seconds = url.connectTimeoutSeconds().getAsInt();
      connectionTimeout = Duration.ofSeconds(seconds);
      // A TCP connect that succeeds to a server that never answers is bounded only by the
      // login timeout; libpq's connect_timeout covers both.
      properties.putIfAbsent("loginTimeout", Integer.toString(seconds));
      properties.putIfAbsent("connectTimeout", Integer.toString(seconds));
    }
    if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
      connectionTimeout = MIN_CONNECTION_TIMEOUT;
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName(POOL_NAME);
    config.setDriverClassName("org.postgresql.Driver");
    config.setJdbcUrl(url.jdbcUrl());
    config.setDataSourceProperties(properties);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(MINIMUM_IDLE, poolSize));
    config.setConnectionTimeout(connectionTimeout.toMillis());
    // Positive: one attempt at open, bounded by the driver's timeouts, then fail.
    config.setInitializationFailTimeout(1);
    return config;
  }

  /** The pool. Connections are autocommit; close them (try-with-resources) to return them. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** The URL this pool connects to (with the application name applied). */
  public PgUrl url() {
    return url;
  }

  /**
   * {@code SELECT 1} through the pool, waiting at most {@link #PING_TIMEOUT} for a connection and
   * as long again for the answer.
   *
   * @throws AmpdException when the database cannot be reached
   */
  public void ping() {
    if (closed.get()) {
      throw new AmpdException("metadata database pool is closed", null);
    }
    try (Connection connection = borrow(PING_TIMEOUT);
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) Math.max(1, PING_TIMEOUT.toSeconds()));
      statement.execute("SELECT 1");
    } catch (SQLException | RuntimeException e) {
      throw MetadbErrors.translate(url, "metadata database ping failed", e);
    }
  }

  /** {@link #ping()} as a boolean, for {@code /healthz}; never throws. */
  public boolean isHealthy() {
    try {
      ping();
      return true;
    } catch (AmpdException e) {
      LOG.debug("metadata database is unhealthy: {}", e.getMessage());
      return false;
    }
  }

  private Connection borrow(Duration timeout) throws SQLException {
    if (dataSource.getHikariPoolMXBean() instanceof HikariPool pool) {
      return pool.getConnection(timeout.toMillis());
    }
    return dataSource.getConnection();
  }

  /** Closes the pool and its connections. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        dataSource.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the metadata database pool failed: {}", e.toString());
      }
    }
  }
}
