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
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * The Parquet schema of one table and how a row of it is written. Column meanings and the reasons
 * for each type are documented in {@code .amp.example/manifests/TABLES.md}.
 *
 * @param <R> what one row is made from
 */
abstract class TableSchema<R> {
  /**
   * The version of the tables' schemas, written into every file's key-value metadata ({@link
   * #VERSION_KEY}) and recorded with every table revision: a revision holds files of one schema
   * version only (see {@code docs/design.md}, "Schema versions"). Version 1: the columns up to
   * ampd 0.1 (logs from {@code eth_getLogs}, no receipt columns); version 2: Amp's columns, receipts.
   */
  static final int VERSION = 2;

  /** The key of {@link #VERSION} in a file's key-value metadata. */
  static final String VERSION_KEY = "ampd.schema_version";

  private final MessageType schema;
  private final boolean[] statistics;

  /**
   * A table of {@code schema}, which must be one {@link Columns} can write: columns of INT32,
   * INT64, BOOLEAN, FIXED_LEN_BYTE_ARRAY and BINARY, required or optional, flat or nested in groups
   * and lists (repeated groups) with at most 127 definition and repetition levels.
   *
   * @throws IllegalArgumentException naming the first column that cannot be written
   */
  TableSchema(MessageType schema) {
    this.schema = schema;
    List<ColumnDescriptor> columns = schema.getColumns();
    statistics = new boolean[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      ColumnDescriptor column = columns.get(i);
      PrimitiveType type = column.getPrimitiveType();
      String name =
          "table " + schema.getName() + ", column " + String.join(".", column.getPath()) + ": ";
      PrimitiveTypeName t = type.getPrimitiveTypeName();
      boolean integer = t == PrimitiveTypeName.INT32 || t == PrimitiveTypeName.INT64;
      if (!integer
          && t != PrimitiveTypeName.BOOLEAN
          && t != PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
          && t != PrimitiveTypeName.BINARY) {
        throw new IllegalArgumentException(
            name + t + " cannot be written (only integers, booleans and bytes)");
      }
      if (column.getMaxDefinitionLevel() > Byte.MAX_VALUE
          || column.getMaxRepetitionLevel() > Byte.MAX_VALUE) {
        throw new IllegalArgumentException(name + "nested too deep");
      }
      statistics[i] = integer && column.getMaxRepetitionLevel() == 0 && !unsigned(type);
    }
  }

  private static boolean unsigned(PrimitiveType type) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    return logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned();
  }

  MessageType schema() {
    return schema;
  }

  /**
   * Whether column {@code index} carries statistics: min/max and null count per page and per column
   * chunk, and so a column index (every column has an offset index). The one place this is decided;
   * the page encoder and the file writer follow it. Signed integer and time columns outside lists
   * do (readers prune row groups and pages by {@code block_num}; their min/max costs two comparisons
   * per value); hashes, addresses, byte strings, amounts, booleans, unsigned integers (a block's
   * {@code nonce}: random bits) and columns in lists do not (a min/max of random bytes prunes
   * nothing, one of amounts next to nothing, and each costs a comparison per value).
   */
  boolean statistics(int index) {
    return statistics[index];
  }

  /** Writes one row: a value (or null, for an optional column) to every column, in order. */
  abstract void write(Columns out, R row);

  /** Rows of one block, in order. */
  abstract List<R> rows(BlockData block);

  /**
   * The values of one page of every column (leaf), by column index, encoded as they go: PLAIN
   * values (little-endian integers, booleans one bit each, fixed-size bytes as they are, other bytes
   * after a 4-byte length) and, for an optional or nested column, one definition level per entry
   * and, in a list, one repetition level per entry (Parquet's Dremel levels), bit-packed when the
   * page is written. {@link #writePages} hands each column's page to its page writer (data page v1,
   * which compresses it) and starts the next page. This replaces parquet-java's column writers,
   * whose cost per value was most of the writing.
   *
   * <p>A top-level column takes one entry per row: {@link #int64(int, long)}, {@link #int32(int,
   * int)}, {@link #bool(int, boolean)}, {@link #bytes(int, byte[])} (a null for an optional column)
   * or {@link #nullValue}. A column inside a list takes one entry per value, or one {@link #level}
   * for an absent or empty list: the {@code rep} and {@code def} arguments are Parquet's repetition
   * and definition levels of the entry (a value's definition level is the column's maximum).
   *
   * <p>The columns of {@link TableSchema#statistics} get min/max and null count statistics per page.
   */
  static final class Columns {
    /** Rows in one page at most: parquet-java's default page row limit. */
    static final int PAGE_ROWS = 20_000;

    /** A page is written once a column's values reach this size: parquet-java's page size. */
    static final int PAGE_BYTES = 1024 * 1024;

    private final ColumnDescriptor[] descriptors;
    private final int[] maxDef;
    private final int[] maxRep;
    private final boolean[] withStats;
    private final boolean[] booleans;
    private final int[] fixedLength;
    private final byte[][] values;
    private final int[] sizes;
    private final byte[][] defLevels;
    private final byte[][] repLevels;
    private final int[] entries;
    private final int[] valueCount;
    private final long[] min;
    private final long[] max;
    private int rows;
    private boolean full;

    Columns(TableSchema<?> table) {
      List<ColumnDescriptor> columns = table.schema().getColumns();
      int n = columns.size();
      descriptors = columns.toArray(new ColumnDescriptor[0]);
      maxDef = new int[n];
      maxRep = new int[n];
      withStats = new boolean[n];
      booleans = new boolean[n];
      fixedLength = new int[n];
      values = new byte[n][];
      sizes = new int[n];
      defLevels = new byte[n][];
      repLevels = new byte[n][];
      entries = new int[n];
      valueCount = new int[n];
      min = new long[n];
      max = new long[n];
      for (int i = 0; i < n; i++) {
        PrimitiveType type = descriptors[i].getPrimitiveType();
        PrimitiveTypeName name = type.getPrimitiveTypeName();
        maxDef[i] = descriptors[i].getMaxDefinitionLevel();
        maxRep[i] = descriptors[i].getMaxRepetitionLevel();
        withStats[i] = table.statistics(i);
        booleans[i] = name == PrimitiveTypeName.BOOLEAN;
        fixedLength[i] = name == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY ? type.getTypeLength() : -1;
        values[i] = new byte[booleans[i] ? PAGE_ROWS / 8 + 1 : 64 * 1024];
        if (maxDef[i] > 0) {
          defLevels[i] = new byte[PAGE_ROWS];
        }
        if (maxRep[i] > 0) {
          repLevels[i] = new byte[PAGE_ROWS];
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
      Arrays.fill(entries, 0);
      Arrays.fill(valueCount, 0);
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

    /**
     * Records the levels of one entry of column {@code index}. A required top-level column has
     * none; an entry of a flat optional column is its definition level only.
     */
    private void entry(int index, int rep, int def) {
      int e = entries[index];
      if (maxDef[index] > 0) {
        byte[] d = defLevels[index];
        if (e == d.length) {
          d = defLevels[index] = Arrays.copyOf(d, d.length * 2);
        }
        d[e] = (byte) def;
      }
      if (maxRep[index] > 0) {
        byte[] r = repLevels[index];
        if (e == r.length) {
          r = repLevels[index] = Arrays.copyOf(r, r.length * 2);
        }
        r[e] = (byte) rep;
      }
      entries[index] = e + 1;
    }

    void int64(int index, long v) {
      int64(index, 0, v);
    }

    /** A value of an INT64 column, at repetition level {@code rep}. */
    void int64(int index, int rep, long v) {
      entry(index, rep, maxDef[index]);
      putLong(room(index, 8), sizes[index], v);
      sizes[index] += 8;
      valueCount[index]++;
      min[index] = Math.min(min[index], v);
      max[index] = Math.max(max[index], v);
    }

    void int32(int index, int v) {
      entry(index, 0, maxDef[index]);
      putInt(room(index, 4), sizes[index], v);
      sizes[index] += 4;
      valueCount[index]++;
      min[index] = Math.min(min[index], v);
      max[index] = Math.max(max[index], v);
    }

    void bool(int index, boolean v) {
      bool(index, 0, v);
    }

    /** A value of a BOOLEAN column, at repetition level {@code rep}: one bit, least first. */
    void bool(int index, int rep, boolean v) {
      entry(index, rep, maxDef[index]);
      int bit = valueCount[index]++;
      if ((bit & 7) == 0) {
        room(index, 1)[sizes[index]++] = 0;
      }
      if (v) {
        values[index][bit >>> 3] |= (byte) (1 << (bit & 7));
      }
    }

    /** A null in optional top-level column {@code index}. */
    void nullValue(int index) {
      if (maxDef[index] == 0) {
        throw new IllegalArgumentException("column " + index + " is required: no null");
      }
      entry(index, 0, 0);
    }

    /**
     * An entry without a value in nested column {@code index}: a null or empty list (or a null
     * inside it) at definition level {@code def}, below the column's maximum.
     */
    void level(int index, int rep, int def) {
      entry(index, rep, def);
    }

    /** Bytes (a hash, an address, data, decimal(38,0) bytes); null only in an optional column. */
    void bytes(int index, byte[] v) {
      if (v == null) {
        nullValue(index);
        return;
      }
      bytes(index, 0, v);
    }

    /** A value of a byte column, at repetition level {@code rep}. */
    void bytes(int index, int rep, byte[] v) {
      entry(index, rep, maxDef[index]);
      valueCount[index]++;
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
        int nulls = entries[i] - valueCount[i];
        Statistics<?> stats;
        if (withStats[i]) {
          stats = Statistics.createStats(type);
          if (valueCount[i] > 0) {
            if (type.getPrimitiveTypeName() == PrimitiveTypeName.INT32) {
              stats.updateStats((int) min[i]);
              stats.updateStats((int) max[i]);
            } else {
              stats.updateStats(min[i]);
              stats.updateStats(max[i]);
            }
          }
          stats.incrementNumNulls(nulls);
        } else {
          stats = Statistics.noopStats(type);
        }
        BytesInput valuesInput = BytesInput.from(values[i], 0, sizes[i]);
        BytesInput page;
        if (maxDef[i] == 0 && maxRep[i] == 0) {
          page = valuesInput;
        } else {
          BytesInput rep =
              maxRep[i] > 0
                  ? BytesInput.from(packLevels(repLevels[i], entries[i], maxRep[i]))
                  : BytesInput.empty();
          BytesInput def =
              maxDef[i] > 0
                  ? BytesInput.from(packLevels(defLevels[i], entries[i], maxDef[i]))
                  : BytesInput.empty();
          page = BytesInput.concat(rep, def, valuesInput);
        }
        total += page.size();
        writer.writePage(
            page,
            entries[i],
            rows,
            stats,
            maxRep[i] > 0 ? Encoding.RLE : Encoding.BIT_PACKED,
            maxDef[i] > 0 ? Encoding.RLE : Encoding.BIT_PACKED,
            Encoding.PLAIN);
      }
      resetPage();
      return total;
    }

    /**
     * {@code n} levels of at most {@code maxLevel} in the RLE/bit-packed hybrid, after their 4-byte
     * little-endian length: bit-packed runs of at most 63 groups of 8 levels (a one-byte header
     * each), each level in {@code bitWidth(maxLevel)} bits, least significant first; the last group
     * padded with zeros (readers stop at the page's value count).
     */
    static byte[] packLevels(byte[] levels, int n, int maxLevel) {
      int width = 32 - Integer.numberOfLeadingZeros(maxLevel);
      int groups = (n + 7) / 8;
      int runs = (groups + 62) / 63;
      byte[] out = new byte[4 + runs + groups * width];
      putInt(out, 0, out.length - 4);
      int at = 4;
      int group = 0;
      while (group < groups) {
        int count = Math.min(63, groups - group);
        out[at++] = (byte) ((count << 1) | 1);
        for (int g = 0; g < count; g++, group++) {
          long bits = 0;
          int base = group * 8;
          for (int k = 0; k < 8 && base + k < n; k++) {
            bits |= (long) (levels[base + k] & 0xff) << (k * width);
          }
          for (int b = 0; b < width; b++) {
            out[at++] = (byte) (bits >>> (8 * b));
          }
        }
      }
      return out;
    }
  }
}
