package io.ampd.server;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Writes Arrow batches as JSON Lines, one object per row, in the encoding TABLES.md documents:
 *
 * <ul>
 *   <li>bytes as lowercase {@code "0x…"} hex;
 *   <li>decimals as strings of their exact digits;
 *   <li>64-bit and larger integers as numbers within ±(2^53 − 1), JavaScript's exact integers, and
 *       as strings beyond; DuckDB's HUGEINT, which reaches Arrow as a decimal of scale 0, counts as
 *       an integer (the engine's column types tell it apart);
 *   <li>timestamps as RFC 3339 in UTC ({@code "2020-09-13T12:26:40.000Z"}), with milliseconds, or
 *       with micro- or nanoseconds when the value has them; {@code Z} only for zoned ones;
 *   <li>non-finite floats as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"};
 *   <li>lists and structs as JSON arrays and objects, their values encoded the same way.
 * </ul>
 *
 * <p>Column by column, into a plain byte array: no object per value for the common types.
 */
final class JsonLinesEncoder {
  static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

  private static final byte[] HEX = new byte[512];

  static {
    byte[] digits = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 256; i++) {
      HEX[2 * i] = digits[i >>> 4];
      HEX[2 * i + 1] = digits[i & 15];
    }
  }

  private final byte[][] keys;
  private final boolean[] hugeint;
  private final DictionaryProvider dictionaries;

  /**
   * @param schema the result's columns
   * @param engineTypes the engine's type name of each column (DuckDB's: {@code HUGEINT}, …)
   * @param dictionaries the dictionaries of dictionary-encoded columns
   */
  JsonLinesEncoder(Schema schema, List<String> engineTypes, DictionaryProvider dictionaries) {
    List<Field> fields = schema.getFields();
    this.keys = new byte[fields.size()][];
    this.hugeint = new boolean[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      Bytes key = new Bytes(fields.get(i).getName().length() + 4);
      key.put(i == 0 ? (byte) '{' : (byte) ',');
      string(fields.get(i).getName(), key);
      key.put((byte) ':');
      keys[i] = key.toArray();
      String type = i < engineTypes.size() ? engineTypes.get(i).toUpperCase(Locale.ROOT) : "";
      hugeint[i] = type.equals("HUGEINT") || type.equals("UHUGEINT");
    }
    this.dictionaries = dictionaries;
  }

  /** Writes one column's value of a row. */
  interface Column {
    void write(int row, Bytes out);
  }

  /**
   * A writer for each column of {@code root}'s current batch: the type is decided once per batch,
   * not per value, and fixed- and variable-width values are read from Arrow's buffers in bulk.
   */
  Column[] columns(VectorSchemaRoot root) {
    List<FieldVector> vectors = root.getFieldVectors();
    Column[] out = new Column[vectors.size()];
    for (int i = 0; i < out.length; i++) {
      Column c = column(vectors.get(i), hugeint[i]);
      FieldVector v = vectors.get(i);
      out[i] =
          v.getNullCount() == 0
              ? c
              : (row, b) -> {
                if (v.isNull(row)) {
                  b.put(NULL);
                } else {
                  c.write(row, b);
                }
              };
    }
    return out;
  }

  /** Appends rows {@code [from, to)} of the batch {@code columns} were made for, one line each. */
  void encode(Column[] columns, int from, int to, Bytes out) {
    for (int row = from; row < to; row++) {
      if (columns.length == 0) {
        out.put((byte) '{');
      }
      for (int c = 0; c < columns.length; c++) {
        out.put(keys[c]);
        columns[c].write(row, out);
      }
      out.put((byte) '}');
      out.put((byte) '\n');
    }
  }

  /** Appends rows {@code [from, to)} of {@code root}, each line ending with a newline. */
  void encode(VectorSchemaRoot root, int from, int to, Bytes out) {
    encode(columns(root), from, to, out);
  }

  private Column column(FieldVector v, boolean hugeint) {
    Field field = v.getField();
    if (field.getDictionary() != null) {
      Dictionary d = dictionaries.lookup(field.getDictionary().getId());
      Column values = generic(d.getVector());
      org.apache.arrow.vector.BaseIntVector indexes = (org.apache.arrow.vector.BaseIntVector) v;
      return (row, out) -> {
        int index = (int) indexes.getValueAsLong(row);
        if (d.getVector().isNull(index)) {
          out.put(NULL);
        } else {
          values.write(index, out);
        }
      };
    }
    if (v instanceof BigIntVector) {
      ArrowBuf data = v.getDataBuffer();
      return (row, out) -> integer(data.getLong((long) row * 8), out);
    }
    if (v instanceof IntVector) {
      ArrowBuf data = v.getDataBuffer();
      return (row, out) -> out.putLong(data.getInt((long) row * 4));
    }
    if (v instanceof VarCharVector) {
      ArrowBuf offsets = v.getOffsetBuffer();
      ArrowBuf data = v.getDataBuffer();
      return (row, out) -> utf8(offsets, data, row, out);
    }
    if (v instanceof VarBinaryVector) {
      ArrowBuf offsets = v.getOffsetBuffer();
      ArrowBuf data = v.getDataBuffer();
      return (row, out) -> hex(offsets, data, row, out);
    }
    if (v instanceof DecimalVector d) {
      return (row, out) -> decimal(d, row, hugeint, out);
    }
    if (v instanceof TimeStampVector t) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) field.getType();
      ArrowBuf data = v.getDataBuffer();
      boolean zoned = type.getTimezone() != null;
      TimeUnit unit = type.getUnit();
      return (row, out) -> timestamp(data.getLong((long) row * 8), unit, zoned, out);
    }
    return generic(v);
  }

  /** The less common types: one {@code instanceof} per value. */
  private Column generic(FieldVector v) {
    return (row, out) -> value(v, row, out);
  }

  private static void value(FieldVector v, int row, Bytes out) {
    if (v.isNull(row)) {
      out.put(NULL);
      return;
    }
    Field field = v.getField();
    if (v instanceof BigIntVector b) {
      integer(b.get(row), out);
    } else if (v instanceof IntVector i) {
      out.putLong(i.get(row));
    } else if (v instanceof VarCharVector s) {
      utf8(s.getOffsetBuffer(), s.getDataBuffer(), row, out);
    } else if (v instanceof VarBinaryVector b) {
      hex(b.getOffsetBuffer(), b.getDataBuffer(), row, out);
    } else if (v instanceof DecimalVector d) {
      decimal(d, row, false, out);
    } else if (v instanceof TimeStampVector t) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) field.getType();
      timestamp(t.get(row), type.getUnit(), type.getTimezone() != null, out);
    } else if (v instanceof FixedSizeBinaryVector b) {
      hex(b.get(row), out);
    } else if (v instanceof SmallIntVector s) {
      out.putLong(s.get(row));
    } else if (v instanceof TinyIntVector t) {
      out.putLong(t.get(row));
    } else if (v instanceof UInt1Vector u) {
      out.putLong(u.get(row) & 0xffL);
    } else if (v instanceof UInt2Vector u) {
      out.putLong(u.get(row));
    } else if (v instanceof UInt4Vector u) {
      out.putLong(u.get(row) & 0xffffffffL);
    } else if (v instanceof UInt8Vector u) {
      long x = u.get(row);
      if (x >= 0) {
        integer(x, out);
      } else {
        quoted(Long.toUnsignedString(x), out);
      }
    } else if (v instanceof Float8Vector f) {
      floating(f.get(row), out);
    } else if (v instanceof Float4Vector f) {
      floating(f.get(row), out);
    } else if (v instanceof BitVector b) {
      out.put(b.get(row) != 0 ? TRUE : FALSE);
    } else if (v instanceof DateDayVector d) {
      date(d.get(row), out);
      out.put((byte) '"');
    } else if (v instanceof BaseVariableWidthVector w
        && field.getType().getTypeID() == ArrowType.ArrowTypeID.LargeUtf8) {
      string(new String(w.get(row), StandardCharsets.UTF_8), out);
    } else if (v instanceof BaseVariableWidthVector w) {
      hex(w.get(row), out); // large binary
    } else {
      object(v.getObject(row), out);
    }
  }

  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

  /** An integer: a number within JavaScript's exact range, a string of its digits beyond. */
  private static void integer(long x, Bytes out) {
    if (x >= -MAX_SAFE_INTEGER && x <= MAX_SAFE_INTEGER) {
      out.putLong(x);
    } else {
      out.put((byte) '"');
      out.putLong(x);
      out.put((byte) '"');
    }
  }

  private static void integer(BigInteger x, Bytes out) {
    if (x.bitLength() < 64) {
      integer(x.longValue(), out);
    } else {
      quoted(x.toString(), out);
    }
  }

  private static void floating(double d, Bytes out) {
    if (Double.isFinite(d)) {
      out.putAscii(Double.toString(d));
    } else {
      quoted(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity", out);
    }
  }

  private static void quoted(String ascii, Bytes out) {
    out.put((byte) '"');
    out.putAscii(ascii);
    out.put((byte) '"');
  }

  private static void decimal(DecimalVector d, int row, boolean hugeint, Bytes out) {
    ArrowBuf data = d.getDataBuffer();
    long at = (long) row * DecimalVector.TYPE_WIDTH;
    long lo = data.getLong(at);
    long hi = data.getLong(at + 8);
    int scale = d.getScale();
    if (hi == (lo >> 63)) {
      if (hugeint && scale == 0) {
        integer(lo, out);
      } else if (scale == 0) {
        out.put((byte) '"');
        out.putLong(lo);
        out.put((byte) '"');
      } else {
        quoted(BigDecimal.valueOf(lo, scale).toPlainString(), out);
      }
      return;
    }
    BigDecimal value = d.getObject(row);
    if (hugeint && scale == 0) {
      integer(value.unscaledValue(), out);
    } else {
      quoted(value.toPlainString(), out);
    }
  }

  private static void timestamp(long v, TimeUnit unit, boolean zoned, Bytes out) {
    long seconds;
    long nanos;
    switch (unit) {
      case SECOND -> {
        seconds = v;
        nanos = 0;
      }
      case MILLISECOND -> {
        seconds = Math.floorDiv(v, 1_000L);
        nanos = Math.floorMod(v, 1_000L) * 1_000_000L;
      }
      case MICROSECOND -> {
        seconds = Math.floorDiv(v, 1_000_000L);
        nanos = Math.floorMod(v, 1_000_000L) * 1_000L;
      }
      default -> {
        seconds = Math.floorDiv(v, 1_000_000_000L);
        nanos = Math.floorMod(v, 1_000_000_000L);
      }
    }
    long days = Math.floorDiv(seconds, 86_400L);
    long secondOfDay = Math.floorMod(seconds, 86_400L);
    date(days, out);
    out.put((byte) 'T');
    two((int) (secondOfDay / 3600), out);
    out.put((byte) ':');
    two((int) (secondOfDay / 60 % 60), out);
    out.put((byte) ':');
    two((int) (secondOfDay % 60), out);
    out.put((byte) '.');
    if (nanos % 1_000_000L == 0) {
      digits(nanos / 1_000_000L, 3, out);
    } else if (nanos % 1_000L == 0) {
      digits(nanos / 1_000L, 6, out);
    } else {
      digits(nanos, 9, out);
    }
    if (zoned) {
      out.put((byte) 'Z');
    }
    out.put((byte) '"');
  }

  /**
   * {@code "yyyy-mm-dd} of a day since 1970-01-01 (proleptic Gregorian), without the close quote.
   */
  private static void date(long epochDay, Bytes out) {
    // Howard Hinnant's civil_from_days
    long z = epochDay + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) {
      y++;
    }
    out.put((byte) '"');
    if (y >= 0 && y <= 9999) {
      digits(y, 4, out);
    } else {
      out.putLong(y);
    }
    out.put((byte) '-');
    two((int) m, out);
    out.put((byte) '-');
    two((int) d, out);
  }

  private static void two(int v, Bytes out) {
    out.put((byte) ('0' + v / 10));
    out.put((byte) ('0' + v % 10));
  }

  private static void digits(long v, int width, Bytes out) {
    out.ensure(width);
    byte[] a = out.array();
    int end = out.length() + width;
    for (int i = end - 1; i >= end - width; i--) {
      a[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    out.length(end);
  }

  private static void hex(ArrowBuf offsets, ArrowBuf data, int row, Bytes out) {
    int start = offsets.getInt((long) row * 4);
    int length = offsets.getInt((long) row * 4 + 4) - start;
    out.ensure(4 + 3 * length);
    out.put((byte) '"');
    out.put((byte) '0');
    out.put((byte) 'x');
    byte[] a = out.array();
    int at = out.length();
    // the raw bytes go where the end of their hex will be, then are expanded from the front
    int raw = at + 2 * length;
    data.getBytes(start, a, raw, length);
    for (int i = 0; i < length; i++) {
      int x = a[raw + i] & 0xff;
      a[at++] = HEX[2 * x];
      a[at++] = HEX[2 * x + 1];
    }
    out.length(at);
    out.put((byte) '"');
  }

  private static void hex(byte[] bytes, Bytes out) {
    out.ensure(4 + 2 * bytes.length);
    out.put((byte) '"');
    out.put((byte) '0');
    out.put((byte) 'x');
    byte[] a = out.array();
    int at = out.length();
    for (byte value : bytes) {
      int x = value & 0xff;
      a[at++] = HEX[2 * x];
      a[at++] = HEX[2 * x + 1];
    }
    out.length(at);
    out.put((byte) '"');
  }

  private static void utf8(ArrowBuf offsets, ArrowBuf data, int row, Bytes out) {
    int start = offsets.getInt((long) row * 4);
    int length = offsets.getInt((long) row * 4 + 4) - start;
    out.ensure(2 + 7 * length);
    out.put((byte) '"');
    byte[] a = out.array();
    int at = out.length();
    int raw = at + 6 * length; // past the longest escaped form
    data.getBytes(start, a, raw, length);
    boolean plain = true;
    for (int i = 0; i < length; i++) {
      byte c = a[raw + i];
      if (c == '"' || c == '\\' || (c >= 0 && c < 0x20)) {
        plain = false;
        break;
      }
    }
    if (plain) {
      System.arraycopy(a, raw, a, at, length);
      out.length(at + length);
    } else {
      byte[] copy = java.util.Arrays.copyOfRange(a, raw, raw + length);
      for (byte c : copy) {
        escaped(c, out);
      }
    }
    out.put((byte) '"');
  }

  private static void string(String s, Bytes out) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.ensure(2 + 6 * b.length);
    out.put((byte) '"');
    for (byte c : b) {
      escaped(c, out);
    }
    out.put((byte) '"');
  }

  /** One byte of UTF-8 text inside a JSON string (bytes of multi-byte characters pass). */
  private static void escaped(byte c, Bytes out) {
    if (c == '"' || c == '\\') {
      out.put((byte) '\\');
      out.put(c);
    } else if (c >= 0 && c < 0x20) {
      switch (c) {
        case '\n' -> {
          out.put((byte) '\\');
          out.put((byte) 'n');
        }
        case '\r' -> {
          out.put((byte) '\\');
          out.put((byte) 'r');
        }
        case '\t' -> {
          out.put((byte) '\\');
          out.put((byte) 't');
        }
        default -> {
          out.putAscii("\\u00");
          out.put(HEX[2 * c]);
          out.put(HEX[2 * c + 1]);
        }
      }
    } else {
      out.put(c);
    }
  }

  /** A value of a nested type, as Arrow's {@code getObject} gives it. */
  private static void object(Object o, Bytes out) {
    if (o == null) {
      out.put(NULL);
    } else if (o instanceof Boolean b) {
      out.put(b ? TRUE : FALSE);
    } else if (o instanceof Long x) {
      integer(x, out);
    } else if (o instanceof Integer || o instanceof Short || o instanceof Byte) {
      out.putLong(((Number) o).longValue());
    } else if (o instanceof BigInteger x) {
      integer(x, out);
    } else if (o instanceof BigDecimal x) {
      quoted(x.toPlainString(), out);
    } else if (o instanceof Double || o instanceof Float) {
      floating(((Number) o).doubleValue(), out);
    } else if (o instanceof byte[] b) {
      hex(b, out);
    } else if (o instanceof Text t) {
      string(t.toString(), out);
    } else if (o instanceof List<?> list) {
      out.put((byte) '[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.put((byte) ',');
        }
        object(list.get(i), out);
      }
      out.put((byte) ']');
    } else if (o instanceof Map<?, ?> map) {
      out.put((byte) '{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.put((byte) ',');
        }
        first = false;
        string(String.valueOf(e.getKey()), out);
        out.put((byte) ':');
        object(e.getValue(), out);
      }
      out.put((byte) '}');
    } else if (o instanceof java.time.LocalDateTime t) {
      string(t.toString(), out);
    } else {
      string(o.toString(), out);
    }
  }

  /** A growable byte array. */
  static final class Bytes {
    private byte[] a;
    private int n;

    Bytes(int capacity) {
      a = new byte[Math.max(16, capacity)];
    }

    void ensure(int more) {
      if (n + more > a.length) {
        a = java.util.Arrays.copyOf(a, Math.max(a.length * 2, n + more));
      }
    }

    void put(byte b) {
      if (n == a.length) {
        ensure(1);
      }
      a[n++] = b;
    }

    void put(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, a, n, b.length);
      n += b.length;
    }

    void putAscii(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        a[n++] = (byte) s.charAt(i);
      }
    }

    /** The decimal digits of {@code v}, with a minus sign when negative; no object made. */
    void putLong(long v) {
      if (v == Long.MIN_VALUE) {
        putAscii("-9223372036854775808");
        return;
      }
      ensure(20);
      if (v < 0) {
        a[n++] = '-';
        v = -v;
      }
      int width = 1;
      for (long x = v; x >= 10; x /= 10) {
        width++;
      }
      int end = n + width;
      for (int i = end - 1; i >= n; i--) {
        a[i] = (byte) ('0' + v % 10);
        v /= 10;
      }
      n = end;
    }

    byte[] array() {
      return a;
    }

    int length() {
      return n;
    }

    void length(int length) {
      n = length;
    }

    void clear() {
      n = 0;
    }

    byte[] toArray() {
      return java.util.Arrays.copyOf(a, n);
    }
  }
}
