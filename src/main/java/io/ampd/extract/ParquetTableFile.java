package io.ampd.extract;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * One Parquet file being written: rows go in block order; {@link #finish} closes it and forces it
 * to disk, so that after the rename that follows, the name never points at a partial file.
 *
 * <p>Written with parquet-java's own record API (no Avro, no Hadoop file system): ZSTD pages,
 * PLAIN encoding, min/max statistics on numbers (readers prune by {@code block_num}). No
 * dictionaries: measured on the benchmark chain, ZSTD alone makes the files as small (hashes and
 * addresses repeat little within a page; repeated block numbers compress away) and writing
 * is ~10% cheaper. No statistics on hashes, addresses and byte strings (a min/max of random bytes
 * prunes nothing) and no size statistics: each costs a comparison or more per value.
 */
final class ParquetTableFile<R> implements AutoCloseable {
  /** Parquet's own default; one segment is normally a single row group. */
  static final long ROW_GROUP_BYTES = 128L * 1024 * 1024;

  private final TableSchema<R> table;
  private final Path path;
  private final ParquetWriter<R> writer;
  private long rows;
  private boolean closed;

  ParquetTableFile(TableSchema<R> table, Path path, Map<String, String> metadata)
      throws IOException {
    this.table = table;
    this.path = path;
    Builder<R> builder =
        new Builder<>(new LocalOutputFile(path), table, metadata)
            .withConf(new PlainParquetConfiguration())
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCodecFactory(new ZstdCodecFactory())
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .withRowGroupSize(ROW_GROUP_BYTES)
            .withDictionaryEncoding(false)
            .withSizeStatisticsEnabled(false)
            .withValidation(false);
    for (ColumnDescriptor column : table.schema().getColumns()) {
      PrimitiveType type = column.getPrimitiveType();
      boolean bytes =
          type.getPrimitiveTypeName() == PrimitiveTypeName.BINARY
              || type.getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
      if (bytes && type.getLogicalTypeAnnotation() == null) {
        builder = builder.withStatisticsEnabled(column.getPath()[0], false);
      }
    }
    this.writer = builder.build();
  }

  void add(BlockData block) throws IOException {
    for (R row : table.rows(block)) {
      writer.write(row);
      rows++;
    }
  }

  long rows() {
    return rows;
  }

  Path path() {
    return path;
  }

  /** Closes the file and forces it to disk; returns its size in bytes. */
  long finish() throws IOException {
    close();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    return Files.size(path);
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      writer.close();
    }
  }

  private static final class Builder<R> extends ParquetWriter.Builder<R, Builder<R>> {
    private final TableSchema<R> table;
    private final Map<String, String> metadata;

    Builder(OutputFile file, TableSchema<R> table, Map<String, String> metadata) {
      super(file);
      this.table = table;
      this.metadata = metadata;
    }

    @Override
    protected Builder<R> self() {
      return this;
    }

    @Override
    protected WriteSupport<R> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
      return new Support<>(table, metadata);
    }

    @Override
    protected WriteSupport<R> getWriteSupport(ParquetConfiguration conf) {
      return new Support<>(table, metadata);
    }
  }

  private static final class Support<R> extends WriteSupport<R> {
    private final TableSchema<R> table;
    private final Map<String, String> metadata;
    private RecordConsumer out;

    Support(TableSchema<R> table, Map<String, String> metadata) {
      this.table = table;
      this.metadata = metadata;
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration conf) {
      return new WriteContext(table.schema(), metadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration conf) {
      return new WriteContext(table.schema(), metadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.out = recordConsumer;
    }

    @Override
    public void write(R record) {
      table.write(out, record);
    }
  }
}
