package io.ampd.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interrupts what a DuckDB connection runs, from another thread. JDBC's {@code Statement.cancel()}
 * interrupts only while a statement executes, not while a streaming result is being fetched, and
 * the connection's own {@code interrupt()} wants a lock that the caller cannot hold; so DuckDB's
 * native interrupt is called on the connection's handle, as those two do. It sets a flag that
 * DuckDB's threads check, and the query's next step fails with an INTERRUPT error.
 *
 * <p>The caller must make sure the connection stays open during the call ({@link RunningQuery}
 * interrupts and closes under one lock): the handle is freed when it closes.
 */
final class Interrupts {
  private static final Logger log = LoggerFactory.getLogger(Interrupts.class);
  private static final MethodHandle HANDLE;
  private static final MethodHandle INTERRUPT;

  static {
    MethodHandle handle = null;
    MethodHandle interrupt = null;
    try {
      Field ref = DuckDBConnection.class.getDeclaredField("connRef");
      ref.setAccessible(true);
      Class<?> nativeClass = Class.forName("org.duckdb.DuckDBNative");
      Method m = nativeClass.getDeclaredMethod("duckdb_jdbc_interrupt", ByteBuffer.class);
      m.setAccessible(true);
      handle = MethodHandles.lookup().unreflectGetter(ref);
      interrupt = MethodHandles.lookup().unreflect(m);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "DuckDB's interrupt is not available ({}): a query is cancelled only between batches",
          e.toString());
    }
    HANDLE = handle;
    INTERRUPT = interrupt;
  }

  private Interrupts() {}

  /** Whether queries can be interrupted in the middle of a step. */
  static boolean available() {
    return INTERRUPT != null;
  }

  static void interrupt(DuckDBConnection connection) {
    if (INTERRUPT == null) {
      return;
    }
    try {
      Object ref = HANDLE.invoke(connection);
      if (ref != null) {
        INTERRUPT.invoke((ByteBuffer) ref);
      }
    } catch (Throwable e) {
      log.debug("interrupting a query: {}", e.toString());
    }
  }
}
