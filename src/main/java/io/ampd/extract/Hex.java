package io.ampd.extract;

import java.math.BigInteger;

/**
 * Hex as JSON-RPC writes it: quantities ({@code 0x1a}, no fixed width) and data ({@code 0x00ff}).
 */
final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  /**
   * The value of a hex digit by byte, as unsigned ({@code b & 0xff}), or by char below 256; -1 for
   * anything else.
   */
  static final byte[] DIGIT = new byte[256];

  static {
    java.util.Arrays.fill(DIGIT, (byte) -1);
    for (int i = 0; i < 10; i++) {
      DIGIT['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      DIGIT['a' + i] = (byte) (10 + i);
      DIGIT['A' + i] = (byte) (10 + i);
    }
  }

  private Hex() {}

  /** A quantity that fits a signed 64-bit long; null if {@code s} is not one. */
  static Long quantity(String s) {
    int len = s.length();
    if (len < 3
        || len > 2 + 16
        || s.charAt(0) != '0'
        || (s.charAt(1) != 'x' && s.charAt(1) != 'X')) {
      return null;
    }
    long v = 0;
    for (int i = 2; i < len; i++) {
      int n = nibble(s.charAt(i));
      if (n < 0) {
        return null;
      }
      v = (v << 4) | n;
    }
    return v < 0 ? null : v;
  }

  /** A quantity of any size; null if {@code s} is not one. */
  static BigInteger bigQuantity(String s) {
    int len = s.length();
    if (len < 3 || s.charAt(0) != '0' || (s.charAt(1) != 'x' && s.charAt(1) != 'X')) {
      return null;
    }
    if (len <= 2 + 15) {
      Long v = quantity(s);
      return v == null ? null : BigInteger.valueOf(v);
    }
    for (int i = 2; i < len; i++) {
      if (nibble(s.charAt(i)) < 0) {
        return null;
      }
    }
    return new BigInteger(s.substring(2), 16);
  }

  /** Data bytes; null if {@code s} is not {@code 0x} followed by an even number of hex digits. */
  static byte[] data(String s) {
    int len = s.length();
    if (len < 2
        || (len & 1) != 0
        || s.charAt(0) != '0'
        || (s.charAt(1) != 'x' && s.charAt(1) != 'X')) {
      return null;
    }
    byte[] out = new byte[(len - 2) / 2];
    for (int i = 0, j = 2; i < out.length; i++, j += 2) {
      int hi = nibble(s.charAt(j));
      int lo = nibble(s.charAt(j + 1));
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  /**
   * A quantity in the ASCII bytes {@code c[off..off+len)} that fits a signed 64-bit long; -1 if it
   * is not one. The allocation-free twin of {@link #quantity(String)} for JSON text in place.
   */
  static long quantity(byte[] c, int off, int len) {
    if (len < 3 || len > 2 + 16 || c[off] != '0' || (c[off + 1] != 'x' && c[off + 1] != 'X')) {
      return -1;
    }
    long v = 0;
    for (int i = off + 2, end = off + len; i < end; i++) {
      int n = nibble(c[i]);
      if (n < 0) {
        return -1;
      }
      v = (v << 4) | n;
    }
    return v < 0 ? -1 : v;
  }

  /** Data in the ASCII bytes {@code c[off..off+len)}; null if not {@code 0x} and even digits. */
  static byte[] data(byte[] c, int off, int len) {
    if (len < 2 || (len & 1) != 0 || c[off] != '0' || (c[off + 1] != 'x' && c[off + 1] != 'X')) {
      return null;
    }
    byte[] out = new byte[(len - 2) >> 1];
    for (int i = 0, j = off + 2; i < out.length; i++, j += 2) {
      int hi = nibble(c[j]);
      int lo = nibble(c[j + 1]);
      if ((hi | lo) < 0) {
        return null;
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  /**
   * A quantity or data of at most {@code width} bytes in the ASCII bytes {@code c[off..off+len)}
   * ({@code 0x} and up to {@code 2 * width} hex digits, an odd number allowed), as {@code width}
   * big-endian bytes, zero-padded on the left; null if it is not one. For a signature's {@code r}
   * and {@code s} (quantities, leading zeros dropped) and a block's 8-byte {@code nonce}.
   */
  static byte[] word(byte[] c, int off, int len, int width) {
    int digits = len - 2;
    if (len < 3
        || digits > 2 * width
        || c[off] != '0'
        || (c[off + 1] != 'x' && c[off + 1] != 'X')) {
      return null;
    }
    byte[] out = new byte[width];
    for (int k = 0; k < digits; k++) {
      int n = nibble(c[off + len - 1 - k]);
      if (n < 0) {
        return null;
      }
      out[width - 1 - k / 2] |= (byte) (k % 2 == 0 ? n : n << 4);
    }
    return out;
  }

  /** Returned by {@link #decimal38} for a valid quantity of 10^38 or more. */
  static final byte[] TOO_BIG = new byte[0];

  private static final long LIMIT_HI = 0x4b3b4ca85a86c47aL;
  private static final long LIMIT_LO = 0x098a224000000000L;

  /**
   * A quantity in the ASCII bytes {@code c[off..off+len)} as decimal(38,0) bytes: 16, big-endian.
   * Null if it is not a quantity, {@link #TOO_BIG} if it is one of 10^38 or more.
   */
  static byte[] decimal38(byte[] c, int off, int len) {
    if (len < 3 || c[off] != '0' || (c[off + 1] != 'x' && c[off + 1] != 'X')) {
      return null;
    }
    int end = off + len;
    int i = off + 2;
    while (i < end - 1 && c[i] == '0') {
      i++;
    }
    if (end - i > 32) {
      for (; i < end; i++) {
        if (nibble(c[i]) < 0) {
          return null;
        }
      }
      return TOO_BIG;
    }
    long hi = 0;
    long lo = 0;
    for (; i < end; i++) {
      int n = nibble(c[i]);
      if (n < 0) {
        return null;
      }
      hi = (hi << 4) | (lo >>> 60);
      lo = (lo << 4) | n;
    }
    return fitsDecimal38(hi, lo) ? bigEndian16(hi, lo) : TOO_BIG;
  }

  /** True if the unsigned 128-bit value {@code hi:lo} is below 10^38. */
  static boolean fitsDecimal38(long hi, long lo) {
    int cmp = Long.compareUnsigned(hi, LIMIT_HI);
    return cmp < 0 || (cmp == 0 && Long.compareUnsigned(lo, LIMIT_LO) < 0);
  }

  /** {@code hi:lo} as 16 big-endian bytes. */
  static byte[] bigEndian16(long hi, long lo) {
    return new byte[] {
      (byte) (hi >>> 56),
      (byte) (hi >>> 48),
      (byte) (hi >>> 40),
      (byte) (hi >>> 32),
      (byte) (hi >>> 24),
      (byte) (hi >>> 16),
      (byte) (hi >>> 8),
      (byte) hi,
      (byte) (lo >>> 56),
      (byte) (lo >>> 48),
      (byte) (lo >>> 40),
      (byte) (lo >>> 32),
      (byte) (lo >>> 24),
      (byte) (lo >>> 16),
      (byte) (lo >>> 8),
      (byte) lo
    };
  }

  static String encode(byte[] bytes) {
    char[] out = new char[2 + bytes.length * 2];
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < bytes.length; i++) {
      out[2 + 2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[3 + 2 * i] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }

  static String quantity(long v) {
    return "0x" + Long.toHexString(v);
  }

  private static int nibble(char c) {
    return c < 256 ? DIGIT[c] : -1;
  }

  private static int nibble(byte b) {
    return DIGIT[b & 0xff];
  }
}
