package io.ampd.server;

import io.ampd.server.QueryException.Kind;
import io.ampd.server.QueryService.Format;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Queries started by a Flight {@code GetFlightInfo} (or a prepared statement) and kept for the
 * {@code DoGet} that redeems their ticket, so that a Flight query is planned and started once: its
 * schema, which {@code GetFlightInfo} must answer, is that of the running query, and {@code DoGet}
 * streams it at once. A query that is not redeemed within {@link #KEEP} is closed, giving its place
 * among the running queries back. A ticket also holds the query's text: one redeemed late, or on
 * another server, runs the query anew.
 */
final class ParkedQueries implements AutoCloseable {
  /** How long a started query waits for its {@code DoGet}. */
  static final Duration KEEP = Duration.ofSeconds(30);

  private final QueryService service;
  private final ExecutorService queries;
  private final ScheduledExecutorService timers;
  private final Map<String, RunningQuery> parked = new ConcurrentHashMap<>();

  ParkedQueries(QueryService service, ExecutorService queries) {
    this.service = service;
    this.queries = queries;
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flight-parked-queries");
              t.setDaemon(true);
              return t;
            });
  }

  /** A started query's ticket id and result schema. */
  record Parked(String id, Schema schema) {}

  /**
   * Starts {@code sql} (on a query thread: DuckDB parses and plans recursively on the calling
   * thread, and gRPC's threads have small stacks) and parks it.
   *
   * @throws QueryException when it cannot start
   */
  Parked start(String sql) {
    RunningQuery query = onQueryThread(sql, Format.ARROW);
    String id = UUID.randomUUID().toString();
    parked.put(id, query);
    try {
      timers.schedule(() -> discard(id), KEEP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      discard(id);
      throw new QueryException(Kind.SHUTTING_DOWN, "the server is stopping");
    }
    return new Parked(id, query.schema());
  }

  /** The schema of {@code sql}'s result, without keeping anything. */
  Schema schema(String sql) {
    try (RunningQuery query = onQueryThread(sql, Format.SCHEMA)) {
      return query.schema();
    }
  }

  /** Whether {@code id} is parked. */
  boolean contains(String id) {
    return parked.containsKey(id);
  }

  /** The query parked under {@code id}, now the caller's to stream and close; or null. */
  RunningQuery take(String id) {
    return id == null ? null : parked.remove(id);
  }

  /** Closes the query parked under {@code id}, if it still is. */
  void discard(String id) {
    RunningQuery q = parked.remove(id);
    if (q != null) {
      q.close();
    }
  }

  private RunningQuery onQueryThread(String sql, Format format) {
    QueryService.Admission admission = service.admit();
    Future<RunningQuery> started;
    try {
      started = queries.submit(() -> admission.start(sql, format));
    } catch (RejectedExecutionException e) {
      admission.close();
      throw new QueryException(Kind.SHUTTING_DOWN, "the server is stopping");
    }
    try {
      return started.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof QueryException q) {
        throw q;
      }
      throw new QueryException(Kind.INTERNAL, "the query failed to start: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      started.cancel(true);
      throw new QueryException(Kind.CANCELLED, "interrupted");
    }
  }

  @Override
  public void close() {
    timers.shutdownNow();
    for (String id : parked.keySet()) {
      discard(id);
    }
  }
}
