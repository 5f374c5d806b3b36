package io.ampd.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-encoding as libpq reads it: {@code %XX} bytes in UTF-8, {@code +} is a plain plus. */
final class Percent {
  private Percent() {}

  /** Thrown with a reason that never quotes the input (it may be a password). */
  static final class BadEncoding extends Exception {
    private static final long serialVersionUID = 1L;

    BadEncoding(String reason) {
      super(reason, null, false, false);
    }
  }

  static String decode(String raw) throws BadEncoding {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); ) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new BadEncoding("a '%' is not followed by two hex digits");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new BadEncoding("a '%' is not followed by two hex digits");
        }
        int b = hi * 16 + lo;
        if (b == 0) {
          throw new BadEncoding("%00 is not allowed");
        }
        out.write(b);
        i += 3;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
          bytes = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.write(bytes, 0, bytes.length);
        i++;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Encodes everything but RFC 3986 unreserved characters and those in {@code keep}. */
  static String encode(String s, String keep) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~'
          || (c < 128 && keep.indexOf(c) >= 0)) {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }
}
