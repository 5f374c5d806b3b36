package io.ampd.server;

import io.ampd.config.ServerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one DuckDB: an in-memory database with no tables, opened on a thread of its own by
 * the first query (its 70 MB native library loads in about 100 ms, off the start path, and an idle
 * server does not hold it), then configured and locked:
 *
 * <ul>
 *   <li>files: only below the data dir ({@code allowed_directories}), nothing else outside ({@code
 *       enable_external_access = false}); no extension is installed or loaded;
 *   <li>limits: {@code threads}, {@code memory_limit}, per-query {@code operator_memory_limit},
 *       spilling into the spill dir;
 *   <li>results stream ({@code jdbc_stream_results}), times are UTC, Parquet footers are cached
 *       (recorded files never change);
 *   <li>{@code lock_configuration = true} last: no statement can change any of it.
 * </ul>
 *
 * <p>Each query runs on a connection of its own ({@link #connect}), closed after it.
 */
final class QueryEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryEngine.class);

  /** How long a query waits for the engine to finish opening before it is refused. */
  static final long OPEN_WAIT_SECONDS = 60;

  /** Table functions a query may call: they read no file. */
  static final List<String> TABLE_FUNCTIONS = List.of("range", "generate_series", "unnest");

  private final ServerConfig config;
  private final Path dataDir;
  private final CompletableFuture<DuckDBConnection> root = new CompletableFuture<>();
  private final AtomicBoolean opening = new AtomicBoolean();
  private volatile boolean closed;

  private QueryEngine(ServerConfig config, Path dataDir) {
    this.config = config;
    this.dataDir = dataDir;
  }

  /** An engine that opens on {@link #open} or on the first {@link #connect}, whichever first. */
  static QueryEngine create(ServerConfig config, Path dataDir) {
    return new QueryEngine(config, dataDir);
  }

  /** An engine already opening (tests). */
  static QueryEngine start(ServerConfig config, Path dataDir) {
    QueryEngine engine = create(config, dataDir);
    engine.open();
    return engine;
  }

  /**
   * Starts opening the engine on a thread of its own, once: after a role's start, so that loading
   * DuckDB does not compete with it for the processors.
   */
  void open() {
    if (!opening.compareAndSet(false, true)) {
      return;
    }
    Thread opener =
        new Thread(
            () -> {
              try {
                root.complete(open(config, dataDir));
              } catch (Throwable e) {
                root.completeExceptionally(e);
              }
            },
            "query-engine-open");
    opener.setDaemon(true);
    opener.start();
  }

  /** Settings of the engine, as SQL; the last one locks them. */
  static List<String> settings(ServerConfig config, Path dataDir) {
    int threads =
        config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
    long maxMem = config.maxMemMb() > 0 ? config.maxMemMb() : defaultMaxMemMb();
    long queryMem = config.queryMaxMemMb() > 0 ? config.queryMaxMemMb() : maxMem;
    return List.of(
        "SET threads = " + threads,
        "SET memory_limit = '" + maxMem + "MiB'",
        "SET operator_memory_limit = '" + queryMem + "MiB'",
        "SET temp_directory = " + literal(config.spillDir().toString()),
        "SET TimeZone = 'UTC'",
        "SET parquet_metadata_cache = true",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allowed_directories = [" + literal(dataDir + "/") + "]",
        "SET enable_external_access = false",
        "SET lock_configuration = true");
  }

  /** A quarter of the machine's memory, in MiB (DuckDB's own default would be 80%). */
  static long defaultMaxMemMb() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return Math.max(256, sun.getTotalMemorySize() / 4 / (1024 * 1024));
    }
    return 1024;
  }

  private static DuckDBConnection open(ServerConfig config, Path dataDir)
      throws SQLException, IOException {
    long start = System.nanoTime();
    Files.createDirectories(config.spillDir());
    Properties props = new Properties();
    props.setProperty("jdbc_stream_results", "true");
    props.setProperty("allow_community_extensions", "false");
    props.setProperty("allow_unsigned_extensions", "false");
    DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", props);
    try (Statement s = c.createStatement()) {
      for (String sql : settings(config, dataDir)) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    // Arrow's vector and C-data classes load now, not in the first query.
    ArrowResults.preload();
    log.info(
        "query engine ready in {} ms (DuckDB {})",
        (System.nanoTime() - start) / 1_000_000,
        version(c));
    return c;
  }

  private static String version(Connection c) {
    try (Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SELECT version()")) {
      return r.next() ? r.getString(1) : "?";
    } catch (SQLException e) {
      return "?";
    }
  }

  /** A SQL string literal. */
  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /** Whether the engine has finished opening (successfully or not). */
  boolean opened() {
    return root.isDone();
  }

  /**
   * A connection of its own for one query.
   *
   * @throws QueryException when the engine could not open, or is closed
   */
  DuckDBConnection connect() {
    if (closed) {
      throw new QueryException(QueryException.Kind.SHUTTING_DOWN, "the server is stopping");
    }
    open();
    DuckDBConnection c;
    try {
      c = root.get(OPEN_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueryException(QueryException.Kind.CANCELLED, "interrupted");
    } catch (TimeoutException e) {
      throw new QueryException(
          QueryException.Kind.INTERNAL,
          "the query engine did not open within " + OPEN_WAIT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new QueryException(
          QueryException.Kind.INTERNAL, "the query engine could not open: " + e.getCause(), e);
    }
    try {
      return c.duplicate();
    } catch (SQLException e) {
      throw new QueryException(
          QueryException.Kind.INTERNAL, "cannot open a query engine connection: " + e, e);
    }
  }

  /** Prepared parser statements, one per caller at a time; made as needed. */
  private final java.util.concurrent.ConcurrentLinkedQueue<java.sql.PreparedStatement> parsers =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * DuckDB's parser ({@link SqlAnalyzer#SERIALIZE}) on a statement prepared once and reused, which
   * saves a prepare per query.
   */
  String serialize(String sql) throws SQLException {
    java.sql.PreparedStatement s = parsers.poll();
    if (s == null) {
      s = connect().prepareStatement(SqlAnalyzer.SERIALIZE);
    }
    try {
      String json = SqlAnalyzer.serialize(s, sql);
      if (!closed) {
        parsers.offer(s);
        s = null;
      }
      return json;
    } finally {
      if (s != null) {
        closeParser(s);
      }
    }
  }

  private static void closeParser(java.sql.PreparedStatement s) {
    try {
      Connection c = s.getConnection();
      s.close();
      c.close();
    } catch (SQLException e) {
      log.debug("closing a parser: {}", e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    for (java.sql.PreparedStatement s; (s = parsers.poll()) != null; ) {
      closeParser(s);
    }
    root.thenAccept(
        c -> {
          try {
            c.close();
          } catch (SQLException e) {
            log.debug("closing the query engine: {}", e.toString());
          }
        });
  }
}
