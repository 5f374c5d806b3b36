package io.ampd.extract;

import java.math.BigInteger;

/** Hex as JSON-RPC writes it: quantities ({@code 0x1a}, no fixed width) and data ({@code 0x00ff}). */
final class Hex {
  private static final byte[] NIBBLE = new byte[128];
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  static {
    java.util.Arrays.fill(NIBBLE, (byte) -1);
    for (int i = 0; i < 10; i++) {
      NIBBLE['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      NIBBLE['a' + i] = (byte) (10 + i);
      NIBBLE['A' + i] = (byte) (10 + i);
    }
  }

  private Hex() {}

  /** A quantity that fits a signed 64-bit long; null if {@code s} is not one. */
  static Long quantity(String s) {
    int len = s.length();
    if (len < 3 || len > 2 + 16 || s.charAt(0) != '0' || (s.charAt(1) != 'x' && s.charAt(1) != 'X')) {
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
    if (len < 2 || (len & 1) != 0 || s.charAt(0) != '0' || (s.charAt(1) != 'x' && s.charAt(1) != 'X')) {
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
    return c < 128 ? NIBBLE[c] : -1;
  }
}
