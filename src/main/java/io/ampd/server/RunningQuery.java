package io.ampd.server;

import io.ampd.server.QueryException.Kind;
import io.ampd.server.QueryPlanner.Plan;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One started query: its Arrow batches, read with {@link #next} on the thread that streams them,
 * until {@link #close}. {@link #cancel} may come from any thread (the time limit, a client gone,
 * shutdown): it interrupts DuckDB, and the streaming thread's next read fails with the reason.
 */
final class RunningQuery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunningQuery.class);

  private final DuckDBConnection connection;
  private final BufferAllocator allocator;
  private final QueryService service;
  private final AtomicReference<Kind> cancelled = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Duration timeLimit;
  private ScheduledFuture<?> timer;
  private Statement statement;
  private DuckDBResultSet results;
  private ArrowReader reader;
  private Plan plan;
  private long startNanos;
  private long rows;

  RunningQuery(DuckDBConnection connection, BufferAllocator allocator, QueryService service) {
    this.connection = connection;
    this.allocator = allocator;
    this.service = service;
  }

  void armTimeout(ScheduledExecutorService timers, Duration limit) {
    this.timeLimit = limit;
    this.timer =
        timers.schedule(() -> cancel(Kind.QUERY_TIMEOUT), limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  void execute(String sql, Plan plan, long startNanos, long batchRows) {
    this.plan = plan;
    this.startNanos = startNanos;
    checkCancelled();
    try {
      statement = connection.createStatement();
      results = (DuckDBResultSet) statement.executeQuery(sql);
      reader = ArrowResults.export(results, allocator, batchRows);
      reader.getVectorSchemaRoot(); // reads the schema now: an error shows before any row
    } catch (SQLException e) {
      throw DuckErrors.translate(e);
    } catch (java.io.IOException e) {
      throw new QueryException(Kind.INTERNAL, "cannot read the query's result: " + e, e);
    }
    checkCancelled();
  }

  /** DuckDB's type name of each result column ({@code BIGINT}, {@code HUGEINT}, …). */
  java.util.List<String> engineTypes() {
    try {
      java.sql.ResultSetMetaData md = results.getMetaData();
      java.util.List<String> out = new java.util.ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        out.add(md.getColumnTypeName(i));
      }
      return out;
    } catch (SQLException e) {
      throw DuckErrors.translate(e);
    }
  }

  /** The dictionaries of dictionary-encoded columns. */
  org.apache.arrow.vector.dictionary.DictionaryProvider dictionaries() {
    return reader;
  }

  /** The plan: what it reads. */
  Plan plan() {
    return plan;
  }

  /** The result's columns. */
  Schema schema() {
    try {
      return reader.getVectorSchemaRoot().getSchema();
    } catch (java.io.IOException e) {
      throw new QueryException(Kind.INTERNAL, "cannot read the query's result: " + e, e);
    }
  }

  /** The batch {@link #next} loaded (one object, refilled by each call). */
  VectorSchemaRoot root() {
    try {
      return reader.getVectorSchemaRoot();
    } catch (java.io.IOException e) {
      throw new QueryException(Kind.INTERNAL, "cannot read the query's result: " + e, e);
    }
  }

  /**
   * Loads the next batch into {@link #root}; false at the end.
   *
   * @throws QueryException when the query fails, is cancelled or runs out of time
   */
  boolean next() {
    checkCancelled();
    try {
      boolean more = reader.loadNextBatch();
      if (more) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
      return more;
    } catch (Exception e) {
      throw failure(e);
    }
  }

  /** Rows read so far. */
  long rows() {
    return rows;
  }

  /** Ends the query from any thread; the streaming thread's next read fails with {@code why}. */
  void cancel(Kind why) {
    if (!cancelled.compareAndSet(null, why)) {
      return;
    }
    synchronized (connection) {
      if (!closed.get()) {
        Interrupts.interrupt(connection); // under the lock close takes: the handle is alive
      }
    }
  }

  /** Why the query was cancelled, or null. */
  Kind cancelled() {
    return cancelled.get();
  }

  private void checkCancelled() {
    Kind why = cancelled.get();
    if (why != null) {
      throw cancellation(why);
    }
  }

  private QueryException cancellation(Kind why) {
    return switch (why) {
      case QUERY_TIMEOUT ->
          new QueryException(
              Kind.QUERY_TIMEOUT,
              "the query ran longer than "
                  + timeLimit.toSeconds()
                  + " s (server.query_timeout_secs) and was cancelled");
      case SHUTTING_DOWN -> new QueryException(Kind.SHUTTING_DOWN, "the server is stopping");
      default -> new QueryException(Kind.CANCELLED, "the query was cancelled");
    };
  }

  /** What {@code e}, thrown while the query ran, means for its client. */
  QueryException failure(Throwable e) {
    Kind why = cancelled.get();
    if (why != null) {
      return cancellation(why);
    }
    if (e instanceof QueryException q) {
      return q;
    }
    Throwable sql = e;
    while (sql != null && !(sql instanceof SQLException)) {
      sql = sql.getCause();
    }
    if (sql != null) {
      return DuckErrors.translate((SQLException) sql);
    }
    String message = e.getMessage();
    if (message != null && message.contains("Error: ")) {
      // the Arrow stream reports DuckDB's error as text, inside the C data interface's own:
      // "[errno -1] CDataJniException{errno=-1, message=Invalid Input Error: …}"
      int at = message.indexOf("message=");
      if (at >= 0) {
        message = message.substring(at + "message=".length());
        if (message.endsWith("}")) {
          message = message.substring(0, message.length() - 1);
        }
      }
      QueryException q = DuckErrors.translate(new SQLException(message, e));
      if (q.kind() != Kind.INTERNAL) {
        return q;
      }
    }
    return new QueryException(Kind.INTERNAL, "the query failed: " + e, e);
  }

  /** Releases everything the query holds; idempotent, from the streaming thread. */
  @Override
  public void close() {
    synchronized (connection) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
    }
    if (timer != null) {
      timer.cancel(false);
    }
    closeQuietly(reader);
    closeQuietly(results);
    closeQuietly(statement);
    synchronized (connection) {
      closeQuietly(connection);
    }
    service.finished(this);
    if (log.isDebugEnabled() && startNanos != 0) {
      log.debug(
          "query ended after {} ms, {} rows{}",
          QueryService.elapsed(startNanos).toMillis(),
          rows,
          cancelled.get() == null ? "" : " (" + cancelled.get() + ")");
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.debug("closing a query resource: {}", e.toString());
    }
  }
}
