package io.ampd.extract;

import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FLOAT;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
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

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void blocksSpanRowGroupsAndReadBackExactly() throws Exception {
    List<BlockData> chain = chain();
    List<List<String>> expected = new ArrayList<>();
    for (BlockData d : chain) {
      EvmBlock b = d.block();
      expected.add(
          row(
              b.number(),
              b.number(),
              b.timestamp() * 1000,
              b.hash(),
              b.parentHash(),
              b.ommersHash(),
              b.miner(),
              b.stateRoot(),
              b.transactionsRoot(),
              b.receiptsRoot(),
              b.logsBloom(),
              decimal(b.difficulty()),
              decimal(b.totalDifficulty()),
              b.gasLimit(),
              b.gasUsed(),
              b.extraData(),
              b.mixHash(),
              Long.toUnsignedString(b.nonce()),
              decimal(b.baseFeePerGas()),
              b.withdrawalsRoot(),
              b.blobGasUsed(),
              b.excessBlobGas(),
              b.parentBeaconRoot(),
              b.requestsHash(),
              b.size(),
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
        EvmReceipt r = d.receipts().get(t.index());
        expected.add(
            row(
                b.number(),
                b.hash(),
                b.number(),
                b.timestamp() * 1000,
                t.index(),
                t.hash(),
                t.to(),
                t.nonce(),
                decimal(t.gasPrice()),
                t.gas(),
                decimal(t.value()),
                t.input(),
                t.r(),
                t.s(),
                t.vParity(),
                t.chainId(),
                r.gasUsed(),
                t.type(),
                decimal(t.maxFeePerGas()),
                decimal(t.maxPriorityFeePerGas()),
                decimal(t.maxFeePerBlobGas()),
                t.from(),
                r.status(),
                r.root(),
                accessListJson(t.accessList()),
                hashesJson(t.blobVersionedHashes()),
                authorizationsJson(t.authorizationList()),
                t.v(),
                decimal(r.effectiveGasPrice()),
                r.cumulativeGasUsed(),
                r.contractAddress(),
                r.blobGasUsed(),
                decimal(r.blobGasPrice())));
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
                l.blockHash(),
                l.blockNumber(),
                d.block().timestamp() * 1000,
                l.transactionHash(),
                l.transactionIndex(),
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

  /** A list value as JSON with every leaf a string, as {@link #readWithDuckDb} renders it. */
  private static String accessListJson(List<EvmTransaction.AccessListEntry> list) {
    if (list == null) {
      return null;
    }
    ArrayNode out = JSON.createArrayNode();
    for (EvmTransaction.AccessListEntry e : list) {
      ObjectNode o = out.addObject();
      o.put("address", HEX.formatHex(e.address()));
      ArrayNode keys = o.putArray("storage_keys");
      for (byte[] k : e.storageKeys()) {
        keys.add(HEX.formatHex(k));
      }
    }
    return out.toString();
  }

  private static String hashesJson(byte[][] hashes) {
    if (hashes == null) {
      return null;
    }
    ArrayNode out = JSON.createArrayNode();
    for (byte[] h : hashes) {
      out.add(HEX.formatHex(h));
    }
    return out.toString();
  }

  private static String authorizationsJson(List<EvmTransaction.Authorization> list) {
    if (list == null) {
      return null;
    }
    ArrayNode out = JSON.createArrayNode();
    for (EvmTransaction.Authorization a : list) {
      ObjectNode o = out.addObject();
      o.put("chain_id", Long.toUnsignedString(a.chainId()));
      o.put("address", HEX.formatHex(a.address()));
      o.put("nonce", Long.toUnsignedString(a.nonce()));
      o.put("y_parity", Boolean.toString(a.yParity()));
      o.put("r", HEX.formatHex(a.r()));
      o.put("s", HEX.formatHex(a.s()));
    }
    return out.toString();
  }

  @Test
  void refusesSchemasThePageEncoderCannotWrite() {
    assertRefused(
        Types.buildMessage().required(DOUBLE).named("ratio").named("t"),
        "table t, column ratio: DOUBLE cannot be written");
    assertRefused(
        Types.buildMessage()
            .optionalGroup()
            .required(FLOAT)
            .named("x")
            .named("inner")
            .named("t"),
        "table t, column inner.x: FLOAT cannot be written");
  }

  private static void assertRefused(MessageType type, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> table(type), type.toString());
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void signedIntegerColumnsOutsideListsAndOnlyThemCarryStatistics() {
    for (TableSchema<?> table : List.of(Tables.BLOCKS, Tables.TRANSACTIONS, Tables.LOGS)) {
      List<ColumnDescriptor> columns = table.schema().getColumns();
      for (int c = 0; c < columns.size(); c++) {
        PrimitiveType p = columns.get(c).getPrimitiveType();
        PrimitiveTypeName type = p.getPrimitiveTypeName();
        boolean unsigned =
            p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
                && !i.isSigned();
        assertEquals(
            (type == PrimitiveTypeName.INT32 || type == PrimitiveTypeName.INT64)
                && !unsigned
                && columns.get(c).getMaxRepetitionLevel() == 0,
            table.statistics(c),
            columns.get(c).toString());
      }
    }
    assertTrue(table(Types.buildMessage().required(INT64).named("n").named("t")).statistics(0));
    assertTrue(table(Types.buildMessage().optional(INT32).named("n").named("t")).statistics(0));
    assertFalse(
        table(Types.buildMessage().optional(BINARY).named("data").named("t")).statistics(0));
  }

  /**
   * Optional integer columns (nulls and values mixed, all null in some pages, none in others) over
   * several pages and row groups, with booleans: values, null counts and min/max per page and per
   * row group, by both readers.
   */
  @Test
  void optionalIntegersAndBooleansSpanPagesAndRowGroups() throws Exception {
    MessageType schema =
        Types.buildMessage()
            .required(INT64)
            .named("block_num")
            .optional(INT64)
            .named("maybe_long")
            .optional(INT32)
            .named("maybe_int")
            .required(BOOLEAN)
            .named("flag")
            .optional(INT64)
            .named("mostly_null")
            .named("t");
    TableSchema<long[]> table =
        new TableSchema<>(schema) {
          @Override
          void write(TableSchema.Columns out, long[] row) {
            out.int64(0, row[0]);
            if (row[1] == Long.MIN_VALUE) {
              out.nullValue(1);
            } else {
              out.int64(1, row[1]);
            }
            if (row[2] == Long.MIN_VALUE) {
              out.nullValue(2);
            } else {
              out.int32(2, (int) row[2]);
            }
            out.bool(3, row[3] == 1);
            if (row[4] == Long.MIN_VALUE) {
              out.nullValue(4);
            } else {
              out.int64(4, row[4]);
            }
          }

          @Override
          List<long[]> rows(BlockData block) {
            List<long[]> out = new ArrayList<>();
            long n = block.block().number();
            SplittableRandom r = new SplittableRandom(n);
            for (int i = 0; i < PER_BLOCK; i++) {
              out.add(
                  new long[] {
                    n,
                    // null in every third row; none between blocks 400 and 900 (whole pages)
                    i % 3 == 0 && (n < 400 || n >= 900) ? Long.MIN_VALUE : r.nextLong(),
                    // all null before block 1,200 (whole pages and a row group), then mixed
                    n < 1_200 || r.nextInt(4) == 0 ? Long.MIN_VALUE : r.nextInt(),
                    r.nextInt(2),
                    n == 1_777 && i == 3 ? -5 : Long.MIN_VALUE
                  });
            }
            return out;
          }
        };
    List<BlockData> chain = chain();
    List<List<String>> expected = new ArrayList<>();
    for (BlockData d : chain) {
      for (long[] row : table.rows(d)) {
        expected.add(
            row(
                row[0],
                row[1] == Long.MIN_VALUE ? null : row[1],
                row[2] == Long.MIN_VALUE ? null : row[2],
                row[3] == 1,
                row[4] == Long.MIN_VALUE ? null : row[4]));
      }
    }
    check(table, chain, expected, blockRows(chain, PER_BLOCK), 2);
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
          String path = String.join(".", column.getPath());
          String where = path + " in row group " + g;
          assertEquals(List.of(column.getPath()), List.of(chunk.getPath().toArray()), where);
          List<String> values = column(rows, schema.getFieldIndex(column.getPath()[0]));
          boolean withStats = table.statistics(c);

          Statistics<?> footer = chunk.getStatistics();
          Map<String, String> duck = duckStats.get(g * schema.getColumns().size() + c);
          assertEquals(
              String.join(", ", column.getPath()), duck.get("path_in_schema"), where);
          if (withStats && min(values) == null) {
            assertFalse(footer.hasNonNullValue(), "footer min/max of all-null " + where);
            assertEquals(nulls(values), footer.getNumNulls(), "footer nulls of " + where);
            assertNull(duck.get("stats_min_value"), "DuckDB min of all-null " + where);
            assertEquals(
                Long.toString(nulls(values)), duck.get("stats_null_count"), "nulls of " + where);
          } else if (withStats) {
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
      Type field = schema.getType(c);
      String name = '"' + field.getName() + '"';
      if (c > 0) {
        select.append(", ");
      }
      if (!field.isPrimitive()) {
        select.append("CAST(to_json(").append(nested(field, name, 0)).append(") AS VARCHAR)");
        continue;
      }
      PrimitiveType type = field.asPrimitiveType();
      LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
      if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
        select.append("epoch_ms(").append(name).append(")");
      } else if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation
          || type.getPrimitiveTypeName() == PrimitiveTypeName.BOOLEAN) {
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

  /**
   * A DuckDB expression of value {@code e} of {@code type} (a list, a struct or a leaf) with every
   * leaf as a string: bytes as hex, numbers and booleans as their text.
   */
  private static String nested(Type type, String e, int depth) {
    if (type.isPrimitive()) {
      PrimitiveTypeName p = type.asPrimitiveType().getPrimitiveTypeName();
      return p == PrimitiveTypeName.BINARY || p == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
          ? "hex(" + e + ")"
          : "CAST(" + e + " AS VARCHAR)";
    }
    GroupType g = type.asGroupType();
    if (g.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      Type element = g.getType(0).asGroupType().getType(0);
      String x = "x" + depth;
      return "list_transform(" + e + ", lambda " + x + ": " + nested(element, x, depth + 1) + ")";
    }
    StringBuilder out = new StringBuilder("struct_pack(");
    for (int i = 0; i < g.getFieldCount(); i++) {
      Type f = g.getType(i);
      out.append(i > 0 ? ", " : "")
          .append('"')
          .append(f.getName())
          .append("\" := ")
          .append(nested(f, e + ".\"" + f.getName() + '"', depth));
    }
    return out.append(')').toString();
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
            Type field = fileSchema.getType(c);
            if (g.getFieldRepetitionCount(c) == 0) {
              row.add(null);
            } else if (field.isPrimitive()) {
              row.add(render(field.asPrimitiveType(), g, c, 0));
            } else {
              row.add(nested(field, g.getGroup(c, 0)).toString());
            }
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  /** A list or struct value as JSON with every leaf a string, as DuckDB's to_json renders it. */
  private static JsonNode nested(Type type, Group value) {
    GroupType g = type.asGroupType();
    if (g.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      ArrayNode out = JSON.createArrayNode();
      Type element = g.getType(0).asGroupType().getType(0);
      for (int i = 0; i < value.getFieldRepetitionCount(0); i++) {
        Group entry = value.getGroup(0, i);
        if (element.isPrimitive()) {
          out.add(leaf(element.asPrimitiveType(), entry, 0, 0));
        } else {
          out.add(nested(element, entry.getGroup(0, 0)));
        }
      }
      return out;
    }
    ObjectNode out = JSON.createObjectNode();
    for (int i = 0; i < g.getFieldCount(); i++) {
      Type f = g.getType(i);
      out.set(
          f.getName(),
          f.isPrimitive()
              ? JSON.getNodeFactory().textNode(leaf(f.asPrimitiveType(), value, i, 0))
              : nested(f, value.getGroup(i, 0)));
    }
    return out;
  }

  /** A leaf inside a list or struct: bytes as hex, the rest as text. */
  private static String leaf(PrimitiveType type, Group g, int c, int i) {
    return switch (type.getPrimitiveTypeName()) {
      case INT64 -> unsigned(type) ? Long.toUnsignedString(g.getLong(c, i)) : "" + g.getLong(c, i);
      case INT32 -> Integer.toString(g.getInteger(c, i));
      case BOOLEAN -> Boolean.toString(g.getBoolean(c, i));
      default -> HEX.formatHex(g.getBinary(c, i).getBytes());
    };
  }

  private static boolean unsigned(PrimitiveType type) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    return logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned();
  }

  private static String render(PrimitiveType type, Group g, int c, int i) {
    return switch (type.getPrimitiveTypeName()) {
      case INT64, INT32, BOOLEAN -> leaf(type, g, c, i);
      default -> {
        byte[] bytes = g.getBinary(c, i).getBytes();
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
              : v instanceof byte[] b
                  ? HEX.formatHex(b)
                  : v instanceof Boolean || v instanceof String
                      ? v.toString()
                      : v.toString().toUpperCase(Locale.ROOT));
    }
    return out;
  }

  private static BigInteger decimal(byte[] sixteen) {
    return sixteen == null ? null : new BigInteger(sixteen);
  }

  /**
   * {@link #BLOCKS} blocks with {@link #PER_BLOCK} transactions (with receipts) and logs each, from
   * a fixed seed: variable-length bytes up to 200 (so pages are also cut by size), nulls in every
   * optional column (all null in some pages: {@code base_fee_per_gas} and the blob fields before
   * block 1,200), lists null, empty and of several entries (lists in lists, with empty inner lists),
   * negative and positive integers, unsigned values of all 64 bits.
   */
  private static List<BlockData> chain() {
    SplittableRandom random = new SplittableRandom(14);
    List<BlockData> out = new ArrayList<>(BLOCKS);
    for (int n = 0; n < BLOCKS; n++) {
      byte[] hash = bytes(random, 32);
      List<EvmTransaction> txs = new ArrayList<>(PER_BLOCK);
      List<EvmReceipt> receipts = new ArrayList<>(PER_BLOCK);
      List<EvmLog> logs = new ArrayList<>(PER_BLOCK);
      for (int i = 0; i < PER_BLOCK; i++) {
        int type = random.nextInt(5);
        byte[] txHash = bytes(random, 32);
        txs.add(
            new EvmTransaction(
                i,
                txHash,
                bytes(random, 20),
                random.nextInt(7) == 0 ? null : bytes(random, 20),
                random.nextLong(),
                amount(random),
                random.nextLong(21_000, 30_000_000),
                random.nextInt(5) == 0 ? null : amount(random),
                type < 2 ? null : amount(random),
                type < 2 ? null : amount(random),
                type == 3 ? amount(random) : null,
                bytes(random, random.nextInt(201)),
                type,
                random.nextLong(0, 5_000),
                bytes(random, 32),
                bytes(random, 32),
                random.nextBoolean(),
                random.nextInt(4) == 0 ? null : random.nextLong(),
                type == 0 ? null : accessList(random),
                type == 3 ? hashes(random, random.nextInt(4)) : null,
                type == 4 ? authorizations(random) : null));
        receipts.add(
            new EvmReceipt(
                i,
                txHash,
                n,
                hash,
                random.nextBoolean(),
                random.nextInt(9) == 0 ? bytes(random, 32) : null,
                random.nextLong(),
                random.nextLong(),
                random.nextInt(6) == 0 ? null : amount(random),
                random.nextInt(8) == 0 ? bytes(random, 20) : null,
                type == 3 ? random.nextLong() : null,
                type == 3 ? amount(random) : null,
                List.of()));
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
      boolean cancun = n >= 1_200;
      EvmBlock block =
          new EvmBlock(
              n,
              hash,
              bytes(random, 32),
              1_600_000_000L + 12L * n,
              bytes(random, 32),
              bytes(random, 20),
              bytes(random, 32),
              bytes(random, 32),
              bytes(random, 32),
              bytes(random, 256),
              amount(random),
              random.nextInt(3) == 0 ? null : amount(random),
              random.nextLong(1, Long.MAX_VALUE),
              random.nextLong(),
              bytes(random, random.nextInt(33)),
              bytes(random, 32),
              random.nextLong(),
              n < 1_200 ? null : amount(random),
              random.nextBoolean() ? null : bytes(random, 32),
              cancun ? random.nextLong() : null,
              cancun && random.nextBoolean() ? random.nextLong() : null,
              cancun ? bytes(random, 32) : null,
              n % 10 == 0 ? bytes(random, 32) : null,
              random.nextLong(500, 2_000_000),
              txs.size(),
              txs.stream().map(EvmTransaction::hash).toArray(byte[][]::new),
              txs);
      out.add(new BlockData(block, receipts, logs));
    }
    return out;
  }

  private static List<EvmTransaction.AccessListEntry> accessList(SplittableRandom random) {
    List<EvmTransaction.AccessListEntry> out = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      out.add(
          new EvmTransaction.AccessListEntry(bytes(random, 20), hashes(random, random.nextInt(3))));
    }
    return out;
  }

  private static byte[][] hashes(SplittableRandom random, int n) {
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      out[i] = bytes(random, 32);
    }
    return out;
  }

  private static List<EvmTransaction.Authorization> authorizations(SplittableRandom random) {
    List<EvmTransaction.Authorization> out = new ArrayList<>();
    for (int i = random.nextInt(3); i > 0; i--) {
      out.add(
          new EvmTransaction.Authorization(
              random.nextLong(),
              bytes(random, 20),
              random.nextLong(),
              random.nextBoolean(),
              bytes(random, 32),
              bytes(random, 32)));
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
