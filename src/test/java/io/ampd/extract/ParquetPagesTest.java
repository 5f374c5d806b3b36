package io.ampd.extract;

import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.ampd.testing.TempDirs;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Files written by the extractor's own page encoders, big enough for several pages per column and
 * several row groups, read back by two other Parquet readers: DuckDB (values and the footer
 * statistics of {@code parquet_metadata()}) and parquet-java (values through its record reader,
 * footer statistics, and the page index: column index and offset index of every column chunk).
 * Every value, null and statistic is compared with the rows written.
 */
@ExtendWith(TempDirs.class)
class ParquetPagesTest {
  /** Three row groups: 1,000 + 1,000 + 500 blocks. */
  private static final int BLOCKS = 2_500;

  /** Rows per block in transactions and logs: 25,000 rows per row group, over a page's limit. */
  private static final int PER_BLOCK = 25;

  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  @Test
  void blocksSpanRowGroupsAndReadBackExactly() throws Exception {
    List<BlockData> chain = chain();
    List<List<String>> expected = new ArrayList<>();
    for (BlockData d : chain) {
      EvmBlock b = d.block();
      expected.add(
          row(
              b.number(),
              b.timestamp() * 1000,
              b.hash(),
              b.parentHash(),
              b.miner(),
              b.stateRoot(),
              b.transactionsRoot(),
              b.receiptsRoot(),
              b.gasUsed(),
              b.gasLimit(),
              decimal(b.baseFeePerGas()),
              decimal(b.difficulty()),
              b.size(),
              b.extraData(),
              b.transactionCount()));
    }
    check(Tables.BLOCKS, chain, expected, blockRows(chain, 1), 1);
  }

  @Test
  void transactionsSpanPagesAndRowGroupsAndReadBackExactly() throws Exception {
    List<BlockData> chain = chain();
    List<List<String>> expected = new ArrayList<>();
    for (BlockData d : chain) {
      EvmBlock b = d.block();
      for (EvmTransaction t : b.transactions()) {
        expected.add(
            row(
                b.number(),
                b.timestamp() * 1000,
                b.hash(),
                t.index(),
                t.hash(),
                t.from(),
                t.to(),
                t.nonce(),
                decimal(t.value()),
                t.gas(),
                decimal(t.gasPrice()),
                decimal(t.maxFeePerGas()),
                decimal(t.maxPriorityFeePerGas()),
                t.input(),
                t.type()));
      }
    }
    check(Tables.TRANSACTIONS, chain, expected, blockRows(chain, PER_BLOCK), 2);
  }

  @Test
  void logsSpanPagesAndRowGroupsAndReadBackExactly() throws Exception {
    List<BlockData> chain = chain();
    List<List<String>> expected = new ArrayList<>();
    for (BlockData d : chain) {
      for (EvmLog l : d.logs()) {
        byte[][] topics = l.topics();
        expected.add(
            row(
                l.blockNumber(),
                d.block().timestamp() * 1000,
                l.blockHash(),
                l.transactionIndex(),
                l.transactionHash(),
                l.logIndex(),
                l.address(),
                topics.length > 0 ? topics[0] : null,
                topics.length > 1 ? topics[1] : null,
                topics.length > 2 ? topics[2] : null,
                topics.length > 3 ? topics[3] : null,
                l.data()));
      }
    }
    check(Tables.LOGS, chain, expected, blockRows(chain, PER_BLOCK), 2);
  }

  @Test
  void refusesSchemasThePageEncoderCannotWrite() {
    assertRefused(
        Types.buildMessage()
            .required(INT64)
            .named("block_num")
            .optional(INT64)
            .named("fee")
            .named("t"),
        "table t, column fee: optional INT64 cannot be written");
    assertRefused(
        Types.buildMessage().optional(INT32).named("index").named("t"),
        "table t, column index: optional INT32 cannot be written");
    assertRefused(
        Types.buildMessage().required(DOUBLE).named("ratio").named("t"),
        "table t, column ratio: DOUBLE cannot be written");
    assertRefused(
        Types.buildMessage().repeated(BINARY).named("topics").named("t"),
        "table t, column topics: repeated columns cannot be written");
    assertRefused(
        Types.buildMessage().optionalGroup().required(INT64).named("n").named("inner").named("t"),
        "table t, column inner: a group cannot be written");
  }

  private static void assertRefused(MessageType type, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> table(type), type.toString());
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void integerColumnsAndOnlyThemCarryStatistics() {
    for (TableSchema<?> table : List.of(Tables.BLOCKS, Tables.TRANSACTIONS, Tables.LOGS)) {
      List<ColumnDescriptor> columns = table.schema().getColumns();
      for (int c = 0; c < columns.size(); c++) {
        PrimitiveTypeName type = columns.get(c).getPrimitiveType().getPrimitiveTypeName();
        assertEquals(
            type == PrimitiveTypeName.INT32 || type == PrimitiveTypeName.INT64,
            table.statistics(c),
            columns.get(c).toString());
      }
    }
    assertTrue(table(Types.buildMessage().required(INT64).named("n").named("t")).statistics(0));
    assertFalse(
        table(Types.buildMessage().optional(BINARY).named("data").named("t")).statistics(0));
  }

  private static TableSchema<BlockData> table(MessageType schema) {
    return new TableSchema<>(schema) {
      @Override
      void write(TableSchema.Columns out, BlockData row) {}

      @Override
      List<BlockData> rows(BlockData block) {
        return List.of(block);
      }
    };
  }

  /** Rows per row group: a row group holds {@link ParquetTableFile#ROW_GROUP_BLOCKS} blocks. */
  private static List<Integer> blockRows(List<BlockData> chain, int perBlock) {
    List<Integer> out = new ArrayList<>();
    for (int first = 0; first < chain.size(); first += ParquetTableFile.ROW_GROUP_BLOCKS) {
      int blocks = Math.min(ParquetTableFile.ROW_GROUP_BLOCKS, chain.size() - first);
      out.add(blocks * perBlock);
    }
    return out;
  }

  /**
   * Writes {@code chain} as one file of {@code table} with the extractor's writer and checks it
   * against {@code expected} (one rendered row per row written): the row groups have {@code
   * groupRows} rows, the first row group of every column at least {@code minPages} pages; values,
   * nulls, statistics and the page index are as the rows and {@link TableSchema#statistics} say.
   */
  private static <R> void check(
      TableSchema<R> table,
      List<BlockData> chain,
      List<List<String>> expected,
      List<Integer> groupRows,
      int minPages)
      throws Exception {
    Path file = TempDirs.create("parquet-pages").resolve("table.parquet");
    try (ParquetTableFile<R> out =
        new ParquetTableFile<>(table, file, Map.of(), new BufferPool())) {
      for (BlockData block : chain) {
        out.add(block);
      }
      out.finish();
    }
    MessageType schema = table.schema();
    assertEquals(expected, readWithDuckDb(file, schema), "values read by DuckDB");
    assertEquals(expected, readWithParquetJava(file, schema), "values read by parquet-java");

    List<Map<String, String>> duckStats = duckDbStatistics(file);
    try (ParquetFileReader reader = open(file)) {
      List<BlockMetaData> groups = reader.getFooter().getBlocks();
      assertEquals(groupRows, groups.stream().map(g -> (int) g.getRowCount()).toList());
      int first = 0;
      for (int g = 0; g < groups.size(); g++) {
        BlockMetaData group = groups.get(g);
        List<List<String>> rows = expected.subList(first, first + (int) group.getRowCount());
        for (int c = 0; c < schema.getColumns().size(); c++) {
          ColumnDescriptor column = schema.getColumns().get(c);
          ColumnChunkMetaData chunk = group.getColumns().get(c);
          String where = column.getPath()[0] + " in row group " + g;
          assertEquals(List.of(column.getPath()[0]), List.of(chunk.getPath().toArray()), where);
          List<String> values = column(rows, c);
          boolean withStats = table.statistics(c);

          Statistics<?> footer = chunk.getStatistics();
          Map<String, String> duck = duckStats.get(g * schema.getColumns().size() + c);
          assertEquals(column.getPath()[0], duck.get("path_in_schema"), where);
          if (withStats) {
            assertEquals(min(values), footer.genericGetMin().toString(), "footer min of " + where);
            assertEquals(max(values), footer.genericGetMax().toString(), "footer max of " + where);
            assertEquals(nulls(values), footer.getNumNulls(), "footer nulls of " + where);
            assertEquals(
                min(values),
                duckValue(column, duck.get("stats_min_value")),
                "DuckDB min of " + where);
            assertEquals(
                max(values),
                duckValue(column, duck.get("stats_max_value")),
                "DuckDB max of " + where);
            assertEquals(
                Long.toString(nulls(values)), duck.get("stats_null_count"), "nulls of " + where);
          } else {
            assertFalse(footer.hasNonNullValue(), "footer min/max of " + where + ": " + footer);
            assertNull(duck.get("stats_min_value"), "DuckDB min of " + where);
            assertNull(duck.get("stats_max_value"), "DuckDB max of " + where);
          }

          OffsetIndex offsets = reader.readOffsetIndex(chunk);
          assertNotNull(offsets, "offset index of " + where);
          if (g == 0) {
            assertTrue(
                offsets.getPageCount() >= minPages,
                where + " has " + offsets.getPageCount() + " pages, not " + minPages + "+");
          }
          assertEquals(0, offsets.getFirstRowIndex(0), where);
          for (int p = 1; p < offsets.getPageCount(); p++) {
            assertTrue(
                offsets.getFirstRowIndex(p) > offsets.getFirstRowIndex(p - 1),
                where + " page " + p);
          }
          ColumnIndex index = reader.readColumnIndex(chunk);
          if (!withStats) {
            assertNull(index, "column index of " + where);
            continue;
          }
          assertNotNull(index, "column index of " + where);
          assertEquals(offsets.getPageCount(), index.getNullPages().size(), where);
          for (int p = 0; p < offsets.getPageCount(); p++) {
            int from = (int) offsets.getFirstRowIndex(p);
            int to = (int) offsets.getLastRowIndex(p, group.getRowCount()) + 1;
            List<String> page = values.subList(from, to);
            String at = where + " page " + p + " (rows " + from + ".." + to + ")";
            assertEquals(page.size() == nulls(page), index.getNullPages().get(p), at);
            assertEquals(nulls(page), index.getNullCounts().get(p), "null count of " + at);
            if (page.size() > nulls(page)) {
              assertEquals(min(page), decode(column, index.getMinValues().get(p)), "min of " + at);
              assertEquals(max(page), decode(column, index.getMaxValues().get(p)), "max of " + at);
            }
          }
        }
        first += (int) group.getRowCount();
      }
      assertEquals(expected.size(), first);
    }
  }

  private static List<String> column(List<List<String>> rows, int c) {
    List<String> out = new ArrayList<>(rows.size());
    for (List<String> row : rows) {
      out.add(row.get(c));
    }
    return out;
  }

  private static long nulls(List<String> values) {
    return values.stream().filter(v -> v == null).count();
  }

  private static String min(List<String> values) {
    return values.stream()
        .filter(v -> v != null)
        .map(Long::parseLong)
        .min(Long::compare)
        .map(String::valueOf)
        .orElse(null);
  }

  private static String max(List<String> values) {
    return values.stream()
        .filter(v -> v != null)
        .map(Long::parseLong)
        .max(Long::compare)
        .map(String::valueOf)
        .orElse(null);
  }

  private static String decode(ColumnDescriptor column, ByteBuffer b) {
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    return switch (column.getPrimitiveType().getPrimitiveTypeName()) {
      case INT64 -> Long.toString(le.getLong(0));
      case INT32 -> Integer.toString(le.getInt(0));
      default -> throw new AssertionError(column + " has no integer statistics");
    };
  }

  // Reading back.

  /** DuckDB's statistics show a time as {@code 2020-09-13 12:26:40+00}. */
  private static final DateTimeFormatter DUCKDB_TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .appendPattern("X")
          .toFormatter(Locale.ROOT);

  /** A statistic as DuckDB shows it, rendered as {@link #row} renders the column's values. */
  private static String duckValue(ColumnDescriptor column, String value) {
    if (value != null
        && column.getPrimitiveType().getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
      return Long.toString(OffsetDateTime.parse(value, DUCKDB_TIME).toInstant().toEpochMilli());
    }
    return value;
  }

  /**
   * Every row by DuckDB, each column rendered as {@link #row} renders it: integers and times (as
   * epoch milliseconds) as digits, decimals as their digits, other bytes as hex; nulls as null.
   */
  private static List<List<String>> readWithDuckDb(Path file, MessageType schema)
      throws SQLException {
    StringBuilder select = new StringBuilder("SELECT ");
    for (int c = 0; c < schema.getFieldCount(); c++) {
      PrimitiveType type = schema.getType(c).asPrimitiveType();
      String name = '"' + type.getName() + '"';
      LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
      if (c > 0) {
        select.append(", ");
      }
      if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
        select.append("epoch_ms(").append(name).append(")");
      } else if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
        select.append("CAST(").append(name).append(" AS VARCHAR)");
      } else if (type.getPrimitiveTypeName() == PrimitiveTypeName.INT64
          || type.getPrimitiveTypeName() == PrimitiveTypeName.INT32) {
        select.append(name);
      } else {
        select.append("hex(").append(name).append(")");
      }
    }
    select
        .append(" FROM read_parquet('")
        .append(file)
        .append("', file_row_number = true) ORDER BY file_row_number");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(select.toString())) {
      int columns = r.getMetaData().getColumnCount();
      List<List<String>> out = new ArrayList<>();
      while (r.next()) {
        List<String> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(r.getString(i));
        }
        out.add(row);
      }
      return out;
    }
  }

  /** Footer statistics by DuckDB, one map per column chunk, in row group then column order. */
  private static List<Map<String, String>> duckDbStatistics(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT path_in_schema, stats_min_value, stats_max_value,"
                    + " CAST(stats_null_count AS VARCHAR) AS stats_null_count"
                    + " FROM parquet_metadata('"
                    + file
                    + "') ORDER BY row_group_id, column_id")) {
      List<Map<String, String>> out = new ArrayList<>();
      while (r.next()) {
        Map<String, String> m = new HashMap<>();
        for (String k :
            List.of("path_in_schema", "stats_min_value", "stats_max_value", "stats_null_count")) {
          m.put(k, r.getString(k));
        }
        out.add(m);
      }
      return out;
    }
  }

  /** Every row by parquet-java's record reader, rendered as {@link #readWithDuckDb} does. */
  private static List<List<String>> readWithParquetJava(Path file, MessageType schema)
      throws IOException {
    List<List<String>> out = new ArrayList<>();
    try (ParquetFileReader reader = open(file)) {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      assertEquals(schema, fileSchema);
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records =
            new ColumnIOFactory()
                .getColumnIO(fileSchema)
                .getRecordReader(pages, new GroupRecordConverter(fileSchema));
        for (long i = 0; i < pages.getRowCount(); i++) {
          Group g = records.read();
          List<String> row = new ArrayList<>();
          for (int c = 0; c < fileSchema.getFieldCount(); c++) {
            row.add(render(fileSchema.getType(c).asPrimitiveType(), g, c));
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  private static String render(PrimitiveType type, Group g, int c) {
    if (g.getFieldRepetitionCount(c) == 0) {
      return null;
    }
    return switch (type.getPrimitiveTypeName()) {
      case INT64 -> Long.toString(g.getLong(c, 0));
      case INT32 -> Integer.toString(g.getInteger(c, 0));
      default -> {
        byte[] bytes = g.getBinary(c, 0).getBytes();
        yield type.getLogicalTypeAnnotation()
                instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation
            ? new BigInteger(bytes).toString()
            : HEX.formatHex(bytes);
      }
    };
  }

  private static ParquetFileReader open(Path file) throws IOException {
    return ParquetFileReader.open(
        new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration())
            .withCodecFactory(new ZstdReading())
            .build());
  }

  /** ZSTD page decompression for parquet-java's reader, on zstd-jni (no Hadoop codec). */
  private static final class ZstdReading
      implements CompressionCodecFactory, CompressionCodecFactory.BytesInputDecompressor {
    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      return BytesInput.from(Zstd.decompress(bytes.toByteArray(), decompressedSize));
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int size)
        throws IOException {
      byte[] in = new byte[compressedSize];
      input.get(in);
      output.put(Zstd.decompress(in, size));
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
      assertEquals(CompressionCodecName.ZSTD, codec);
      return this;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void release() {}
  }

  // The rows written.

  /**
   * A row as the readers render it: numbers as digits, decimals ({@link BigInteger}) as digits,
   * bytes as upper-case hex, null as null.
   */
  private static List<String> row(Object... values) {
    List<String> out = new ArrayList<>(values.length);
    for (Object v : values) {
      out.add(
          v == null
              ? null
              : v instanceof byte[] b ? HEX.formatHex(b) : v.toString().toUpperCase(Locale.ROOT));
    }
    return out;
  }

  private static BigInteger decimal(byte[] sixteen) {
    return sixteen == null ? null : new BigInteger(sixteen);
  }

  /**
   * {@link #BLOCKS} blocks with {@link #PER_BLOCK} transactions and logs each, from a fixed seed:
   * variable-length bytes up to 200 (so pages are also cut by size), nulls in every optional column
   * (all null in some pages: {@code base_fee_per_gas} before block 1,200), negative and positive
   * integers.
   */
  private static List<BlockData> chain() {
    SplittableRandom random = new SplittableRandom(14);
    List<BlockData> out = new ArrayList<>(BLOCKS);
    for (int n = 0; n < BLOCKS; n++) {
      byte[] hash = bytes(random, 32);
      List<EvmTransaction> txs = new ArrayList<>(PER_BLOCK);
      List<EvmLog> logs = new ArrayList<>(PER_BLOCK);
      for (int i = 0; i < PER_BLOCK; i++) {
        int type = random.nextInt(3);
        txs.add(
            new EvmTransaction(
                i,
                bytes(random, 32),
                bytes(random, 20),
                random.nextInt(7) == 0 ? null : bytes(random, 20),
                random.nextLong(),
                amount(random),
                random.nextLong(21_000, 30_000_000),
                random.nextInt(5) == 0 ? null : amount(random),
                type < 2 ? null : amount(random),
                type < 2 ? null : amount(random),
                bytes(random, random.nextInt(201)),
                type));
        byte[][] topics = new byte[random.nextInt(5)][];
        for (int t = 0; t < topics.length; t++) {
          topics[t] = bytes(random, 32);
        }
        logs.add(
            new EvmLog(
                n,
                hash,
                random.nextInt(-5, PER_BLOCK),
                bytes(random, 32),
                i,
                bytes(random, 20),
                topics,
                bytes(random, random.nextInt(201))));
      }
      EvmBlock block =
          new EvmBlock(
              n,
              hash,
              bytes(random, 32),
              1_600_000_000L + 12L * n,
              bytes(random, 20),
              bytes(random, 32),
              bytes(random, 32),
              bytes(random, 32),
              random.nextLong(),
              random.nextLong(1, Long.MAX_VALUE),
              n < 1_200 ? null : amount(random),
              amount(random),
              random.nextLong(500, 2_000_000),
              bytes(random, random.nextInt(33)),
              txs.size(),
              txs);
      out.add(new BlockData(block, logs));
    }
    return out;
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** A decimal(38,0) amount as 16 big-endian bytes: up to 2^100, never negative. */
  private static byte[] amount(SplittableRandom random) {
    BigInteger v = new BigInteger(random.nextInt(101), new java.util.Random(random.nextLong()));
    byte[] raw = v.toByteArray();
    byte[] out = new byte[16];
    System.arraycopy(raw, 0, out, 16 - raw.length, raw.length);
    return out;
  }
}
