package io.ampd.extract;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * One Parquet file being written: rows go in block order; {@link #finish} closes it and forces it
 * to disk, so that after the rename that follows, the name never points at a partial file.
 *
 * <p>Pages are encoded here ({@link TableSchema.Columns}) and handed to parquet-java's page writer,
 * which compresses them and lays out the file (no record API, no column writers, no Avro, no Hadoop
 * file system). ZSTD pages, PLAIN encoding, statistics and a column index on the columns {@link
 * TableSchema#statistics} names (integer and time columns: readers prune by {@code block_num}), an
 * offset index on every column. No dictionaries: measured on the benchmark chain, ZSTD alone makes
 * the files as small (hashes and addresses repeat little within a page; repeated block numbers
 * compress away) and writing is ~10% cheaper. No size statistics: they cost work per value and no
 * reader of ours uses them.
 */
final class ParquetTableFile<R> implements AutoCloseable {
  /** Parquet's own default: a row group is cut at this size at the latest. */
  static final long ROW_GROUP_BYTES = 128L * 1024 * 1024;

  /**
   * Blocks per row group: readers skip row groups by their {@code block_num} statistics, so a query
   * of a few blocks reads a thousand blocks' rows of a file, not the whole segment; a reader also
   * reads the row groups of one file in parallel.
   */
  static final int ROW_GROUP_BLOCKS = 1_000;

  private final TableSchema<R> table;
  private final Path path;
  private final ParquetProperties props;
  private final ParquetFileWriter file;
  private final Map<String, String> metadata;
  private final CompressionCodecFactory.BytesInputCompressor compressor;
  private final TableSchema.Columns out;
  private final BufferPool buffers;
  private ColumnChunkPageWriteStore pages;
  private long rows;
  private long groupRows;
  private long groupBytes;
  private int groupBlocks;
  private boolean closed;

  /**
   * A new file at {@code path} with {@code metadata} and the schema version ({@link
   * TableSchema#VERSION_KEY}) in its key-value metadata; its buffers come from {@code buffers} (the
   * writing thread's).
   */
  ParquetTableFile(
      TableSchema<R> table, Path path, Map<String, String> metadata, BufferPool buffers)
      throws IOException {
    this.table = table;
    this.path = path;
    this.metadata = new HashMap<>(metadata);
    this.metadata.put(TableSchema.VERSION_KEY, Integer.toString(TableSchema.VERSION));
    ParquetProperties.Builder builder =
        ParquetProperties.builder()
            .withDictionaryEncoding(false)
            .withSizeStatisticsEnabled(false)
            .withAllocator(buffers);
    List<ColumnDescriptor> columns = table.schema().getColumns();
    for (int i = 0; i < columns.size(); i++) {
      if (!table.statistics(i)) {
        builder = builder.withStatisticsEnabled(String.join(".", columns.get(i).getPath()), false);
      }
    }
    this.props = builder.build();
    this.compressor = new ZstdCodecFactory().getCompressor(CompressionCodecName.ZSTD);
    this.file =
        new ParquetFileWriter(
            new LocalOutputFile(path),
            table.schema(),
            ParquetFileWriter.Mode.OVERWRITE,
            ROW_GROUP_BYTES,
            ParquetWriter.MAX_PADDING_SIZE_DEFAULT,
            null,
            props);
    file.start();
    this.buffers = buffers;
    out = buffers.columns(table);
    startRowGroup();
  }

  private void startRowGroup() {
    pages =
        new ColumnChunkPageWriteStore(
            compressor,
            table.schema(),
            props.getAllocator(),
            props.getColumnIndexTruncateLength(),
            props.getPageWriteChecksumEnabled());
    groupRows = 0;
    groupBytes = 0;
    groupBlocks = 0;
  }

  private void flushRowGroup() throws IOException {
    groupRows += out.rows();
    groupBytes += out.writePages(pages);
    if (groupRows > 0) {
      file.startBlock(groupRows);
      pages.flushToFileWriter(file);
      file.endBlock();
    }
    pages.close();
  }

  void add(BlockData block) throws IOException {
    if (groupBlocks == ROW_GROUP_BLOCKS) {
      flushRowGroup();
      startRowGroup();
    }
    groupBlocks++;
    for (R row : table.rows(block)) {
      table.write(out, row);
      rows++;
      if (out.endRow()) {
        groupRows += out.rows();
        groupBytes += out.writePages(pages);
        if (groupBytes >= ROW_GROUP_BYTES) {
          flushRowGroup();
          startRowGroup();
        }
      }
    }
  }

  long rows() {
    return rows;
  }

  /**
   * Bytes written so far: the row groups in the file and the compressed pages of the one being
   * filled (the rows of the page being filled and the footer are not counted yet); 0 once finished
   * or abandoned.
   */
  long bytes() {
    if (closed) {
      return 0;
    }
    long buffered = 0;
    for (ColumnDescriptor column : table.schema().getColumns()) {
      buffered += pages.getPageWriter(column).getMemSize();
    }
    try {
      return file.getPos() + buffered;
    } catch (IOException e) {
      return buffered;
    }
  }

  Path path() {
    return path;
  }

  /** Closes the file and forces it to disk; returns its size in bytes. */
  long finish() throws IOException {
    if (closed) {
      throw new IllegalStateException(path + " is closed");
    }
    closed = true;
    flushRowGroup();
    compressor.release();
    buffers.release(table, out);
    file.end(metadata);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    return Files.size(path);
  }

  /** Abandons the file (if not finished): releases its buffers and closes it. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      buffers.release(table, out);
      pages.close();
      compressor.release();
      file.abort();
    }
  }
}
