package io.ampd.server;

import io.ampd.config.ServerConfig;
import io.ampd.metadb.MetadbException;
import io.ampd.metadb.QuerySnapshot;
import io.ampd.metadb.QuerySnapshotRepository;
import io.ampd.metadb.QuerySnapshotRepository.Found;
import io.ampd.metadb.QuerySnapshotRepository.NoDataset;
import io.ampd.metadb.QuerySnapshotRepository.NoTable;
import io.ampd.server.QueryException.Kind;
import io.ampd.server.QueryPlanner.Plan;
import io.ampd.server.SqlAnalyzer.Analysis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs queries for both endpoints: admits one (at most {@code max_concurrent_queries} at once),
 * analyzes it ({@link SqlAnalyzer}), reads its snapshot from the metadata database, plans it over
 * exactly those files ({@link QueryPlanner}) and starts it on a connection of its own, with its
 * time limit armed. What comes back streams Arrow batches until closed; every failure before that
 * is a {@link QueryException}.
 *
 * <p>Threads: {@link #admit} is called on the endpoint's thread and never blocks; the rest runs on
 * the thread that will stream the result (a query thread of the endpoint). A query's resources (its
 * permit, connection, result, batches and timer) are released by {@link RunningQuery#close}, once,
 * whoever ends it: the last batch, an error, the time limit, a client gone, or shutdown.
 */
final class QueryService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryService.class);

  /** Stack of the threads that run queries: DuckDB's parser and planner recurse in them. */
  static final long QUERY_THREAD_STACK_BYTES = 16L * 1024 * 1024;

  private final QueryEngine engine;
  private final QuerySnapshotRepository catalog;
  private final Path dataDir;
  private final ServerConfig config;
  private final BufferAllocator allocator;
  private final Semaphore slots;
  private final ScheduledExecutorService timers;
  private final Set<RunningQuery> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  QueryService(
      QueryEngine engine,
      QuerySnapshotRepository catalog,
      Path dataDir,
      ServerConfig config,
      BufferAllocator allocator) {
    this.engine = engine;
    this.catalog = catalog;
    this.dataDir = dataDir;
    this.config = config;
    this.allocator = allocator;
    this.slots = new Semaphore(config.maxConcurrentQueries());
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "query-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /** What the rows come as. */
  enum Format {
    /** The query's own columns, as DuckDB exports them to Arrow. */
    ARROW,
    /**
     * The query's own columns, in batches sized for JSON Lines chunks ({@link JsonLinesEncoder}).
     */
    JSON_LINES,
    /** No row: only the schema of {@link #ARROW}. */
    SCHEMA
  }

  /** A place among the running queries, taken before a query is handed to its thread. */
  final class Admission implements AutoCloseable {
    private boolean used;

    /** Starts {@code sql} in this place; the place is the query's from now on. */
    RunningQuery start(String sql, Format format) {
      used = true;
      return QueryService.this.start(sql, format);
    }

    /** Gives the place back if no query took it. */
    @Override
    public void close() {
      if (!used) {
        used = true;
        slots.release();
      }
    }
  }

  /**
   * A place for one query, without waiting.
   *
   * @throws QueryException {@code TOO_MANY_QUERIES} when all are taken, {@code SHUTTING_DOWN}
   */
  Admission admit() {
    if (closed) {
      throw new QueryException(Kind.SHUTTING_DOWN, "the server is stopping");
    }
    if (!slots.tryAcquire()) {
      throw new QueryException(
          Kind.TOO_MANY_QUERIES,
          config.maxConcurrentQueries()
              + " queries are running, as many as server.max_concurrent_queries allows: try again"
              + " shortly");
    }
    return new Admission();
  }

  /** Queries running now. */
  int running() {
    return running.size();
  }

  private RunningQuery start(String sql, Format format) {
    long startNanos = System.nanoTime();
    DuckDBConnection connection;
    try {
      connection = engine.connect();
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
    RunningQuery query = new RunningQuery(connection, allocator, this);
    running.add(query);
    try {
      query.armTimeout(timers, config.queryTimeout());
      Analysis analysis = SqlAnalyzer.analyze(engine::serialize, sql);
      Plan plan = plan(analysis);
      String body = SqlWords.withoutFinalSemicolon(plan.sql());
      String run =
          format == Format.SCHEMA ? "SELECT * FROM (\n" + body + "\n) LIMIT 0" : plan.sql();
      query.execute(run, plan, startNanos, ArrowResults.BATCH_ROWS);
      return query;
    } catch (RuntimeException e) {
      query.close();
      throw query.failure(e);
    }
  }

  private Plan plan(Analysis analysis) {
    if (analysis.tables().isEmpty()) {
      return QueryPlanner.plan(analysis, new QuerySnapshot(Map.of(), Map.of()), dataDir);
    }
    QuerySnapshotRepository.Result result;
    try {
      result = catalog.read(QueryPlanner.tables(analysis));
    } catch (MetadbException | io.ampd.core.AmpdException e) {
      throw new QueryException(
          Kind.CATALOG_UNAVAILABLE,
          "cannot read the query's files from the metadata database: " + e.getMessage(),
          e);
    }
    if (result instanceof NoDataset none) {
      throw new QueryException(Kind.TABLE_NOT_FOUND, "dataset not found: " + none.request());
    }
    if (result instanceof NoTable none) {
      throw new QueryException(
          Kind.TABLE_NOT_FOUND,
          "table "
              + none.key().table()
              + " not found in dataset "
              + none.dataset().ref()
              + " (its tables: "
              + String.join(", ", none.dataset().tables())
              + ")");
    }
    return QueryPlanner.plan(analysis, ((Found) result).snapshot(), dataDir);
  }

  void finished(RunningQuery query) {
    if (running.remove(query)) {
      slots.release();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (RunningQuery q : running) {
      q.cancel(Kind.SHUTTING_DOWN);
    }
    timers.shutdownNow();
    try {
      timers.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!running.isEmpty()) {
      log.debug("{} queries still closing at shutdown", running.size());
    }
  }

  static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
