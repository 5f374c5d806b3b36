package io.ampd.metadb;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
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

  /** Hikari's own default for checking a connection before lending it. */
  private static final Duration DEFAULT_VALIDATION_TIMEOUT = Duration.ofSeconds(5);

  /** Hikari refuses a connection (or validation) timeout below 250 ms. */
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
   * Opens a pool of at most {@code poolSize} connections whose statements wait for the server
   * without a limit (migrations: a migration, or the wait for another process's migration lock, may
   * take long); see {@link #open(PgUrl, int, String, Duration)}.
   */
  public static MetadataDb open(PgUrl url, int poolSize, String applicationName) {
    return open(url, poolSize, applicationName, Duration.ZERO);
  }

  /**
   * Opens a pool of at most {@code poolSize} connections; fails fast with a readable error ({@code
   * failed to connect to metadata database (<redacted url>): <cause>}).
   *
   * @param applicationName PostgreSQL's {@code application_name}, unless the URL sets one
   * @param networkTimeout how long a connection waits for the server to answer before it is given
   *     up ({@link #sessionProperties}); zero: no limit
   */
  public static MetadataDb open(
      PgUrl url, int poolSize, String applicationName, Duration networkTimeout) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
    }
    PgUrl effective = url.withDefaultApplicationName(applicationName);
    HikariConfig config = hikariConfig(effective, poolSize, networkTimeout);
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

  /**
   * pgjdbc's properties for a session on {@code url}: the URL's ({@link PgUrl#jdbcProperties()})
   * and, unless {@code networkTimeout} is zero, {@code socketTimeout}: a read that waits longer
   * than that for the server (one that stopped answering, or a network that drops packets) fails
   * and closes the connection, instead of holding its thread for ever. No statement of a role runs
   * anywhere near that long.
   */
  public static Properties sessionProperties(PgUrl url, Duration networkTimeout) {
    Properties properties = url.jdbcProperties();
    if (!networkTimeout.isZero()) {
      long seconds = Math.max(1, networkTimeout.toSeconds());
      properties.setProperty("socketTimeout", Long.toString(seconds));
    }
    return properties;
  }

  static HikariConfig hikariConfig(PgUrl url, int poolSize, Duration networkTimeout) {
    Properties properties = sessionProperties(url, networkTimeout);
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
    config.setDataSource(new PgDriver(url.jdbcUrl(), properties));
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(MINIMUM_IDLE, poolSize));
    config.setConnectionTimeout(connectionTimeout.toMillis());
    if (!networkTimeout.isZero() && networkTimeout.compareTo(DEFAULT_VALIDATION_TIMEOUT) < 0) {
      // Hikari checks a connection idle for a while before lending it; that check must not wait
      // longer than a statement would.
      config.setValidationTimeout(
          Math.max(MIN_CONNECTION_TIMEOUT.toMillis(), networkTimeout.toMillis()));
    }
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
    try (Connection connection = connection(PING_TIMEOUT);
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

  /**
   * A connection of the pool after at most {@code timeout} for a free one (instead of the pool's
   * {@code connect_timeout} or 30 s): for the admin API, whose callers are better served by a quick
   * 503 than by a long wait when the database does not answer.
   */
  public Connection connection(Duration timeout) throws SQLException {
    if (dataSource.getHikariPoolMXBean() instanceof HikariPool pool) {
      try {
        return pool.getConnection(timeout.toMillis());
      } catch (SQLTransientConnectionException e) {
        // Hikari's own words are about its pool's counters.
        throw new SQLTransientConnectionException(
            "no connection within "
                + timeout.toMillis()
                + " ms: the database does not answer, or all "
                + dataSource.getMaximumPoolSize()
                + " pooled connections are busy",
            e.getSQLState(),
            e);
      }
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
