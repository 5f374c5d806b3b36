package io.ampd.bench;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One way of running the query benchmark's SQL and fetching every row of the result: DuckDB alone
 * (the floor), or ampd's query server through one of its endpoints.
 */
interface SqlPath extends AutoCloseable {
  /** The path's name in the report. */
  String label();

  /** How this path's SQL names the dataset table {@code table} in a FROM clause. */
  String table(String table);

  /** Runs {@code sql} and reads its whole result. */
  Fetched fetch(String sql) throws Exception;

  @Override
  void close() throws Exception;

  /**
   * What a fetch read.
   *
   * @param rows result rows; -1 when not counted
   * @param bytes what the client received: Arrow buffers for Arrow paths, the body for JSON Lines
   */
  record Fetched(long rows, long bytes) {}

  /** The bytes of a batch's Arrow buffers (data, offsets and validity of every column). */
  static long arrowBytes(VectorSchemaRoot root) {
    long bytes = 0;
    List<FieldVector> vectors = root.getFieldVectors();
    for (FieldVector v : vectors) {
      bytes += v.getBufferSize();
    }
    return bytes;
  }
}
