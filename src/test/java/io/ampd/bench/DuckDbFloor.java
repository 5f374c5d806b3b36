package io.ampd.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;

/**
 * The floor of the query benchmark: a plain DuckDB JDBC connection in the benchmark's JVM, running
 * the same SQL with each dataset table replaced by {@code read_parquet([...])} of exactly the files
 * the metadata database records for the table's active revision, and fetching every row through
 * DuckDB's Arrow export, the cheapest fetch there is.
 *
 * <p>The database is in memory, with DuckDB's defaults except the two settings of the server's
 * engine that change how fast the same query answers, so that the floor is not slower than the
 * server could be for a reason of configuration: {@code jdbc_stream_results} (the export streams
 * batches as the query produces them, instead of after the whole result is materialized) and {@code
 * parquet_metadata_cache} (Parquet footers are read once).
 */
final class DuckDbFloor implements SqlPath {
  /** Rows per exported Arrow batch: as many as the server sends Flight clients in one batch. */
  static final long BATCH_ROWS = 8_192;

  private final Connection connection;
  private final BufferAllocator allocator;
  private final Map<String, List<Path>> files;

  /**
   * @param files each table's files, in block order
   */
  DuckDbFloor(BufferAllocator allocator, Map<String, List<Path>> files) throws SQLException {
    Properties props = new Properties();
    props.setProperty("jdbc_stream_results", "true");
    this.connection = DriverManager.getConnection("jdbc:duckdb:", props);
    try (Statement s = connection.createStatement()) {
      s.execute("SET parquet_metadata_cache = true");
    }
    this.allocator = allocator;
    this.files = Map.copyOf(files);
  }

  @Override
  public String label() {
    return "DuckDB alone (floor)";
  }

  @Override
  public String table(String table) {
    List<Path> paths = files.get(table);
    if (paths == null || paths.isEmpty()) {
      throw new BenchException("no recorded file of table " + table, "files: " + files.keySet());
    }
    StringBuilder s = new StringBuilder("read_parquet([");
    for (int i = 0; i < paths.size(); i++) {
      s.append(i == 0 ? "'" : ", '").append(paths.get(i).toString().replace("'", "''")).append("'");
    }
    return s.append("]) AS ").append(table).toString();
  }

  @Override
  public Fetched fetch(String sql) throws Exception {
    long rows = 0;
    long bytes = 0;
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql);
        ArrowReader reader =
            (ArrowReader) ((DuckDBResultSet) rs).arrowExportStream(allocator, BATCH_ROWS)) {
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
        bytes += SqlPath.arrowBytes(reader.getVectorSchemaRoot());
      }
    }
    return new Fetched(rows, bytes);
  }

  /** The rows of {@code sql}'s first column, as text: for picking lookup values from the data. */
  List<String> column(String sql) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
