package io.ampd.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interrupts what a DuckDB connection runs, from another thread. The JDBC {@code
 * Statement.cancel()} interrupts only while a statement executes, not while a streaming result is
 * fetched, so the connection's own (package-private) {@code interrupt()} is called; it makes the
 * query's next step fail with DuckDB's INTERRUPT error.
 */
final class Interrupts {
  private static final Logger log = LoggerFactory.getLogger(Interrupts.class);
  private static final MethodHandle INTERRUPT = find();

  private Interrupts() {}

  private static MethodHandle find() {
    try {
      Method m = DuckDBConnection.class.getDeclaredMethod("interrupt");
      m.setAccessible(true);
      return MethodHandles.lookup().unreflect(m);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "DuckDB's connection interrupt is not available ({}): a query is cancelled only between"
              + " its batches",
          e.toString());
      return null;
    }
  }

  static void interrupt(DuckDBConnection connection) {
    if (INTERRUPT == null) {
      return;
    }
    try {
      INTERRUPT.invoke(connection);
    } catch (Throwable e) {
      log.debug("interrupting a query: {}", e.toString());
    }
  }
}
