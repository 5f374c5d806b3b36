package io.ampd.extract;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.PageWriteStore;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * The Parquet schema of one table and how a row of it is written. Column meanings and the reasons
 * for each type are documented in {@code .amp.example/manifests/TABLES.md}.
 *
 * @param <R> what one row is made from
 */
abstract class TableSchema<R> {
  private final MessageType schema;
  private final boolean[] statistics;

  /**
   * A table of {@code schema}, which must be one {@link Columns} can write: flat (top-level
   * columns, none repeated), of INT32, INT64, FIXED_LEN_BYTE_ARRAY and BINARY only, and with
   * integer columns required. {@link Columns} writes definition levels for optional byte columns
   * only ({@link Columns#bytes} takes a null, {@link Columns#int64} and {@link Columns#int32} take
   * none), so an optional integer column would be written as pages without definition levels, which
   * readers take for all nulls; no table needs one (a missing number is 0 or a required column's
   * value, see {@code TABLES.md}), so such a schema is refused here, before any file.
   *
   * @throws IllegalArgumentException naming the first column that cannot be written
   */
  TableSchema(MessageType schema) {
    this.schema = schema;
    for (Type field : schema.getFields()) {
      if (!field.isPrimitive()) {
        throw new IllegalArgumentException(
            "table %s, column %s: a group cannot be written (flat schemas only)"
                .formatted(schema.getName(), field.getName()));
      }
    }
    List<ColumnDescriptor> columns = schema.getColumns();
    statistics = new boolean[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      ColumnDescriptor column = columns.get(i);
      PrimitiveType type = column.getPrimitiveType();
      String name = "table " + schema.getName() + ", column " + type.getName() + ": ";
      if (column.getMaxRepetitionLevel() > 0) {
        throw new IllegalArgumentException(name + "repeated columns cannot be written");
      }
      boolean integer = isInteger(type);
      if (!integer
          && type.getPrimitiveTypeName() != PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
          && type.getPrimitiveTypeName() != PrimitiveTypeName.BINARY) {
        throw new IllegalArgumentException(
            name + type.getPrimitiveTypeName() + " cannot be written (only integers and bytes)");
      }
      if (integer && column.getMaxDefinitionLevel() > 0) {
        throw new IllegalArgumentException(
            name
                + "optional "
                + type.getPrimitiveTypeName()
                + " cannot be written: the page encoder writes definition levels for byte"
                + " columns only; make it required");
      }
      statistics[i] = integer;
    }
  }

  private static boolean isInteger(PrimitiveType type) {
    return type.getPrimitiveTypeName() == PrimitiveTypeName.INT32
        || type.getPrimitiveTypeName() == PrimitiveTypeName.INT64;
  }

  MessageType schema() {
    return schema;
  }

  /**
   * Whether column {@code index} carries statistics: min/max and null count per page and per column
   * chunk, and so a column index (every column has an offset index). The one place this is decided;
   * the page encoder and the file writer follow it. Integer and time columns do (readers prune row
   * groups and pages by {@code block_num}; their min/max costs two comparisons per value); hashes,
   * addresses, byte strings and amounts do not (a min/max of random bytes prunes nothing, one of
   * amounts next to nothing, and each costs a byte-wise comparison per value).
   */
  boolean statistics(int index) {
    return statistics[index];
  }

  /** Writes one row: a value (or null, for an optional column) to every column, in order. */
  abstract void write(Columns out, R row);

  /** Rows of one block, in order. */
  abstract List<R> rows(BlockData block);

  /**
   * The values of one page of every column, by column index, encoded as they go: PLAIN values
   * (little-endian integers, fixed-size bytes as they are, other bytes after a 4-byte length) and,
   * for an optional column, one definition level per row (1 present, 0 null), bit-packed when the
   * page is written. The schemas are flat: no repetition levels. {@link #writePages} hands each
   * column's page to its page writer (data page v1, which compresses it) and starts the next page.
   * This replaces parquet-java's column writers, whose cost per value was most of the writing.
   *
   * <p>The columns of {@link TableSchema#statistics} get min/max and null count statistics per page
   * (all of them are required integer columns: their null count is 0).
   */
  static final class Columns {
    /** Rows in one page at most: parquet-java's default page row limit. */
    static final int PAGE_ROWS = 20_000;

    /** A page is written once a column's values reach this size: parquet-java's page size. */
    static final int PAGE_BYTES = 1024 * 1024;

    private final ColumnDescriptor[] descriptors;
    private final boolean[] optional;
    private final boolean[] withStats;
    private final int[] fixedLength;
    private final byte[][] values;
    private final int[] sizes;
    private final byte[][] levels;
    private final long[] min;
    private final long[] max;
    private int rows;
    private boolean full;

    Columns(TableSchema<?> table) {
      List<ColumnDescriptor> columns = table.schema().getColumns();
      int n = columns.size();
      descriptors = columns.toArray(new ColumnDescriptor[0]);
      optional = new boolean[n];
      withStats = new boolean[n];
      fixedLength = new int[n];
      values = new byte[n][];
      sizes = new int[n];
      levels = new byte[n][];
      min = new long[n];
      max = new long[n];
      for (int i = 0; i < n; i++) {
        PrimitiveType type = descriptors[i].getPrimitiveType();
        PrimitiveTypeName name = type.getPrimitiveTypeName();
        optional[i] = descriptors[i].getMaxDefinitionLevel() > 0;
        withStats[i] = table.statistics(i);
        fixedLength[i] = name == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY ? type.getTypeLength() : -1;
        values[i] = new byte[64 * 1024];
        if (optional[i]) {
          levels[i] = new byte[PAGE_ROWS];
        }
      }
      resetPage();
    }

    /** Drops the values of the page being filled. */
    void clear() {
      resetPage();
    }

    private void resetPage() {
      rows = 0;
      full = false;
      Arrays.fill(sizes, 0);
      Arrays.fill(min, Long.MAX_VALUE);
      Arrays.fill(max, Long.MIN_VALUE);
    }

    private byte[] room(int index, int bytes) {
      byte[] b = values[index];
      int need = sizes[index] + bytes;
      if (need > b.length) {
        b = Arrays.copyOf(b, Math.max(need, b.length * 2));
        values[index] = b;
      }
      return b;
    }

    // Little-endian stores by hand: the ampd launcher runs C1 only (-XX:TieredStopAtLevel=1), which
    // does not intrinsify byte-array view VarHandles; these shifts cost a fraction of their guards.
    private static void putLong(byte[] b, int at, long v) {
      putInt(b, at, (int) v);
      putInt(b, at + 4, (int) (v >>> 32));
    }

    private static void putInt(byte[] b, int at, int v) {
      b[at] = (byte) v;
      b[at + 1] = (byte) (v >>> 8);
      b[at + 2] = (byte) (v >>> 16);
      b[at + 3] = (byte) (v >>> 24);
    }

    void int64(int index, long v) {
      putLong(room(index, 8), sizes[index], v);
      sizes[index] += 8;
      min[index] = Math.min(min[index], v);
      max[index] = Math.max(max[index], v);
    }

    void int32(int index, int v) {
      putInt(room(index, 4), sizes[index], v);
      sizes[index] += 4;
      min[index] = Math.min(min[index], v);
      max[index] = Math.max(max[index], v);
    }

    /** Bytes (a hash, an address, data, decimal(38,0) bytes); null only in an optional column. */
    void bytes(int index, byte[] v) {
      if (v == null) {
        if (!optional[index]) {
          throw new IllegalArgumentException("column " + index + " is required: no null");
        }
        levels[index][rows] = 0;
        return;
      }
      if (optional[index]) {
        levels[index][rows] = 1;
      }
      int fixed = fixedLength[index];
      int at = sizes[index];
      if (fixed >= 0) {
        if (v.length != fixed) {
          throw new IllegalArgumentException(
              "column " + index + " holds " + fixed + " bytes, not " + v.length);
        }
        System.arraycopy(v, 0, room(index, fixed), at, fixed);
        sizes[index] = at + fixed;
      } else {
        byte[] b = room(index, 4 + v.length);
        putInt(b, at, v.length);
        System.arraycopy(v, 0, b, at + 4, v.length);
        sizes[index] = at + 4 + v.length;
      }
      if (sizes[index] >= PAGE_BYTES) {
        full = true;
      }
    }

    /** Ends a row; true if the page is full and {@link #writePages} is due. */
    boolean endRow() {
      return ++rows == PAGE_ROWS || full;
    }

    /** Rows in the page being filled. */
    int rows() {
      return rows;
    }

    /** Writes the page of every column (if it has rows); returns its bytes before compression. */
    long writePages(PageWriteStore store) throws IOException {
      if (rows == 0) {
        return 0;
      }
      long total = 0;
      for (int i = 0; i < descriptors.length; i++) {
        PageWriter writer = store.getPageWriter(descriptors[i]);
        PrimitiveType type = descriptors[i].getPrimitiveType();
        Statistics<?> stats;
        if (withStats[i]) {
          stats = Statistics.createStats(type);
          if (type.getPrimitiveTypeName() == PrimitiveTypeName.INT32) {
            stats.updateStats((int) min[i]);
            stats.updateStats((int) max[i]);
          } else {
            stats.updateStats(min[i]);
            stats.updateStats(max[i]);
          }
        } else {
          stats = Statistics.noopStats(type);
        }
        BytesInput page;
        Encoding levelEncoding;
        if (optional[i]) {
          byte[] packed = packLevels(levels[i], rows);
          page =
              BytesInput.concat(BytesInput.from(packed), BytesInput.from(values[i], 0, sizes[i]));
          levelEncoding = Encoding.RLE;
        } else {
          page = BytesInput.from(values[i], 0, sizes[i]);
          levelEncoding = Encoding.BIT_PACKED;
        }
        total += page.size();
        writer.writePage(
            page, rows, rows, stats, Encoding.BIT_PACKED, levelEncoding, Encoding.PLAIN);
      }
      resetPage();
      return total;
    }

    /**
     * Definition levels of bit width 1 in the RLE/bit-packed hybrid, after their 4-byte
     * little-endian length: bit-packed runs of at most 63 groups of 8 (a one-byte header each), the
     * last group padded with zeros (readers stop at the page's value count).
     */
    private static byte[] packLevels(byte[] levels, int n) {
      int groups = (n + 7) / 8;
      int runs = (groups + 62) / 63;
      byte[] out = new byte[4 + runs + groups];
      putInt(out, 0, runs + groups);
      int at = 4;
      int group = 0;
      while (group < groups) {
        int count = Math.min(63, groups - group);
        out[at++] = (byte) ((count << 1) | 1);
        for (int g = 0; g < count; g++, group++) {
          int bits = 0;
          int base = group * 8;
          for (int k = 0; k < 8 && base + k < n; k++) {
            bits |= (levels[base + k] & 1) << k;
          }
          out[at++] = (byte) bits;
        }
      }
      return out;
    }
  }
}
