package io.ampd.server;

import java.sql.SQLException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;

/** DuckDB results as Arrow record batches, through Arrow's C data interface (no copy per value). */
final class ArrowResults {
  /**
   * Rows per Arrow batch: 4 of DuckDB's 2,048-row vectors, a few MB for the widest tables, within
   * what gRPC clients accept in one Flight message.
   */
  static final long BATCH_ROWS = 8_192;

  private ArrowResults() {}

  /** A reader of {@code rs}'s remaining rows; closing it releases the result's batches. */
  static ArrowReader export(DuckDBResultSet rs, BufferAllocator allocator, long batchRows)
      throws SQLException {
    return (ArrowReader) rs.arrowExportStream(allocator, batchRows);
  }

  /** Loads the classes of an export and its JNI library, off a query's path. */
  static void preload() {
    ClassLoader loader = ArrowResults.class.getClassLoader();
    for (String name :
        new String[] {
          "org.apache.arrow.c.ArrowArrayStream",
          "org.apache.arrow.c.Data",
          "org.apache.arrow.c.jni.JniWrapper",
          "org.apache.arrow.vector.VectorSchemaRoot",
          "org.apache.arrow.vector.VarCharVector",
          "org.apache.arrow.vector.ipc.ArrowReader"
        }) {
      try {
        Class.forName(name, true, loader);
      } catch (Throwable e) {
        // the real use reports it
      }
    }
  }
}
