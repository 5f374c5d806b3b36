package io.ampd.extract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over the bytes of one JSON document (a JSON-RPC response body), for decoders that know
 * the shape they expect: they walk objects and arrays themselves ({@link #startObject}, {@link
 * #nextField}, {@link #startArray}, {@link #nextElement}), read the values they want straight from
 * the bytes ({@link #string}, {@link #hexFixed}, {@link #hexQuantity}) and {@link #skipValue skip}
 * the rest. No tokens, no strings, no symbol table: a hash is located by its closing quote and
 * decoded in place; a string is copied only when it has escapes (backslashes), into a scratch
 * buffer.
 *
 * <p>The grammar is JSON's (RFC 8259): commas, colons, brackets, number and literal syntax are
 * checked on everything read or skipped, string escapes and control characters on every string
 * read; a violation throws {@link SyntaxError} with the byte offset. Not checked: the characters
 * and escapes inside a skipped string (only its end is found, honouring backslashes), that strings
 * are valid UTF-8 (hex fields are checked as hex by their readers), and nesting depth (skipping
 * keeps its own stack, no recursion). A value read or skipped leaves the cursor just after it;
 * {@link #position()} and {@link #reset(int)} let a caller come back to a value (a result read
 * before its id is known). One scanner per document; not thread-safe.
 */
final class JsonScanner {
  /** Returned by {@link #peek()} and used by callers to tell value kinds apart. */
  static final int END = -1;

  private static final byte[] NULL = {'n', 'u', 'l', 'l'};
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

  private final byte[] buf;
  private final int end;
  private int pos;

  /** True right after '{' or '[': the next field or element needs no comma. */
  private boolean afterOpen;

  private byte[] scratch = new byte[64];

  /** Where {@link #hexData()} decodes before copying out the exact length. */
  private byte[] decoded = new byte[256];

  private byte[] text;
  private int textStart;
  private int textLength;

  JsonScanner(byte[] buf) {
    this(buf, 0, buf.length);
  }

  JsonScanner(byte[] buf, int from, int to) {
    this.buf = buf;
    this.pos = from;
    this.end = to;
  }

  /** A JSON syntax error; no stack trace. */
  static final class SyntaxError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SyntaxError(String message) {
      super(message, null, false, false);
    }
  }

  private SyntaxError error(String what) {
    return new SyntaxError(
        (pos >= end ? "unexpected end of input" : what) + " at byte offset " + pos);
  }

  int position() {
    return pos;
  }

  /** Moves back (or forward) to {@code position}, the start of a value seen before. */
  void reset(int position) {
    pos = position;
    afterOpen = false;
  }

  /** The next byte that is not whitespace (as unsigned), {@link #END} at the end; not consumed. */
  int peek() {
    int p = pos;
    if (p < end && buf[p] > ' ') {
      return buf[p] & 0xff;
    }
    while (p < end) {
      byte b = buf[p];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        pos = p;
        return b & 0xff;
      }
      p++;
    }
    pos = p;
    return END;
  }

  /** Checks that only whitespace is left. */
  void finish() {
    if (peek() != END) {
      throw error("text after the JSON value");
    }
  }

  // ---- structure

  /** Consumes the '{' of an object; the caller has checked it is one ({@link #peek()}). */
  void startObject() {
    open('{');
  }

  private void open(int bracket) {
    if (peek() != bracket) {
      throw error("expected '" + (char) bracket + "'");
    }
    pos++;
    afterOpen = true;
  }

  /**
   * Moves onto the next field of the current object: true with the name at {@link #text()} and the
   * cursor on the value; false at the object's end (the '}' is consumed).
   */
  boolean nextField() {
    if (!nextName()) {
      return false;
    }
    string();
    colon();
    return true;
  }

  /**
   * Like {@link #nextField()}, but leaves the cursor on the name's opening quote, for {@link
   * #name(FieldNames)}.
   */
  boolean nextName() {
    int b = peek();
    if (b == '}') {
      pos++;
      afterOpen = false;
      return false;
    }
    if (afterOpen) {
      afterOpen = false;
    } else if (b == ',') {
      pos++;
      b = peek();
    } else {
      throw error("expected ',' or '}'");
    }
    if (b != '"') {
      throw error("expected a field name");
    }
    return true;
  }

  /**
   * Reads the name of the next field of the current object that {@code names} knows and whose value
   * is not null, skipping the others, and returns its id; {@link #END} when the object ends.
   */
  int nextKnownField(FieldNames names) {
    while (nextName()) {
      int id = name(names);
      if (id == FieldNames.UNKNOWN) {
        skipValue();
      } else if (!nullValue()) {
        return id;
      }
    }
    return END;
  }

  /**
   * Reads the field name at the cursor ({@link #nextName()}) and its colon and returns its index in
   * {@code names}, or {@link FieldNames#UNKNOWN}. The name {@code names} expects next is compared
   * in place; any other is read as a string first.
   */
  int name(FieldNames names) {
    byte[] guess = names.guess();
    if (guess != null) {
      int from = pos + 1;
      int close = from + guess.length;
      if (close < end && buf[close] == '"') {
        int i = 0;
        while (i < guess.length && buf[from + i] == guess[i]) {
          i++;
        }
        if (i == guess.length) {
          pos = close + 1;
          colon();
          return names.guessed();
        }
      }
    }
    string();
    colon();
    return names.match(this);
  }

  private void colon() {
    if (peek() != ':') {
      throw error("expected ':'");
    }
    pos++;
  }

  /** Consumes the '[' of an array. */
  void startArray() {
    open('[');
  }

  /** True with the cursor on the next element of the current array; false at its end. */
  boolean nextElement() {
    int b = peek();
    if (b == ']') {
      pos++;
      afterOpen = false;
      return false;
    }
    if (afterOpen) {
      afterOpen = false;
      return true;
    }
    if (b != ',') {
      throw error("expected ',' or ']'");
    }
    pos++;
    return true;
  }

  // ---- values

  /** True (and consumed) if the next value is {@code null}. */
  boolean nullValue() {
    if (peek() == 'n') {
      literal(NULL);
      return true;
    }
    return false;
  }

  /** The next value, which must be {@code true} or {@code false}. */
  boolean booleanValue() {
    int b = peek();
    if (b == 't') {
      literal(TRUE);
      return true;
    }
    if (b == 'f') {
      literal(FALSE);
      return false;
    }
    throw error("expected true or false");
  }

  private void literal(byte[] word) {
    if (end - pos < word.length) {
      pos = end;
      throw error("");
    }
    for (int i = 0; i < word.length; i++) {
      if (buf[pos + i] != word[i]) {
        throw error("invalid literal");
      }
    }
    pos += word.length;
    afterOpen = false;
  }

  /**
   * Reads the next value, which must be a string: its content (escapes decoded, as UTF-8) is then
   * {@code text()[textStart() .. textStart() + textLength())}, in the document itself when it has
   * no escapes, else in a scratch buffer valid until the next string is read.
   */
  void string() {
    if (peek() != '"') {
      throw error("expected a string");
    }
    int from = pos + 1;
    for (int i = from; i < end; i++) {
      byte b = buf[i];
      if (b == '"') {
        text = buf;
        textStart = from;
        textLength = i - from;
        pos = i + 1;
        afterOpen = false;
        return;
      }
      if (b == '\\') {
        unescape(from, i);
        return;
      }
      if (b >= 0 && b < 0x20) {
        pos = i;
        throw error("control character in a string");
      }
    }
    pos = end;
    throw error("");
  }

  /** Copies the string from {@code from} (escape-free up to {@code i}) into the scratch buffer. */
  private void unescape(int from, int i) {
    int n = i - from;
    ensureScratch(n + 16);
    System.arraycopy(buf, from, scratch, 0, n);
    while (true) {
      if (i >= end) {
        pos = end;
        throw error("");
      }
      byte b = buf[i];
      if (b == '"') {
        break;
      }
      ensureScratch(n + 4);
      if (b != '\\') {
        if (b >= 0 && b < 0x20) {
          pos = i;
          throw error("control character in a string");
        }
        scratch[n++] = b;
        i++;
        continue;
      }
      if (i + 1 >= end) {
        pos = end;
        throw error("");
      }
      byte e = buf[i + 1];
      i += 2;
      switch (e) {
        case '"', '\\', '/' -> scratch[n++] = e;
        case 'b' -> scratch[n++] = '\b';
        case 'f' -> scratch[n++] = '\f';
        case 'n' -> scratch[n++] = '\n';
        case 'r' -> scratch[n++] = '\r';
        case 't' -> scratch[n++] = '\t';
        case 'u' -> {
          int c = hex4(i);
          i += 4;
          if (Character.isHighSurrogate((char) c)
              && i + 1 < end
              && buf[i] == '\\'
              && buf[i + 1] == 'u') {
            int low = hex4(i + 2);
            if (Character.isLowSurrogate((char) low)) {
              c = Character.toCodePoint((char) c, (char) low);
              i += 6;
            }
          }
          n = utf8(c, n);
        }
        default -> {
          pos = i - 1;
          throw error("invalid escape");
        }
      }
    }
    text = scratch;
    textStart = 0;
    textLength = n;
    pos = i + 1;
    afterOpen = false;
  }

  private int hex4(int at) {
    if (at + 4 > end) {
      pos = end;
      throw error("");
    }
    int c = 0;
    for (int k = at; k < at + 4; k++) {
      int d = Hex.DIGIT[buf[k] & 0xff];
      if (d < 0) {
        pos = k;
        throw error("invalid \\u escape");
      }
      c = (c << 4) | d;
    }
    return c;
  }

  private int utf8(int c, int n) {
    byte[] s = scratch;
    if (c < 0x80) {
      s[n++] = (byte) c;
    } else if (c < 0x800) {
      s[n++] = (byte) (0xc0 | (c >> 6));
      s[n++] = (byte) (0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      s[n++] = (byte) (0xe0 | (c >> 12));
      s[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
      s[n++] = (byte) (0x80 | (c & 0x3f));
    } else {
      s[n++] = (byte) (0xf0 | (c >> 18));
      s[n++] = (byte) (0x80 | ((c >> 12) & 0x3f));
      s[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
      s[n++] = (byte) (0x80 | (c & 0x3f));
    }
    return n;
  }

  private void ensureScratch(int n) {
    if (scratch.length < n) {
      scratch = Arrays.copyOf(scratch, Math.max(n, scratch.length * 2));
    }
  }

  byte[] text() {
    return text;
  }

  int textStart() {
    return textStart;
  }

  int textLength() {
    return textLength;
  }

  /** The last string read, for messages. */
  String textString() {
    return new String(text, textStart, textLength, StandardCharsets.UTF_8);
  }

  /** True if the last string read is exactly the ASCII bytes {@code name}. */
  boolean textEquals(byte[] name) {
    return Arrays.equals(text, textStart, textStart + textLength, name, 0, name.length);
  }

  /**
   * Where the digits of the next value start if it is a string beginning {@code "0x} (or {@code
   * "0X}) with at least one more byte in the document, else -1; moves only past whitespace. The hex
   * fast paths below start here.
   */
  private int hexStart() {
    int q = peekPosition();
    if (q + 3 >= end || buf[q] != '"' || buf[q + 1] != '0') {
      return -1;
    }
    byte x = buf[q + 2];
    return x == 'x' || x == 'X' ? q + 3 : -1;
  }

  /**
   * The fast path for a hash or an address: if the next value is {@code "0x"} and exactly {@code 2
   * * length} hex digits, consumes it and returns the bytes; otherwise (escapes, wrong length, bad
   * digits, not a string) returns null without moving, and the caller reads it the slow way for a
   * precise message.
   */
  byte[] hexFixed(int length) {
    int first = hexStart();
    int close = first + 2 * length;
    if (first < 0 || close >= end || buf[close] != '"') {
      return null;
    }
    byte[] out = new byte[length];
    byte[] c = buf;
    byte[] nib = Hex.DIGIT;
    int i = 0;
    int j = first;
    // Two bytes a round (hashes and addresses have even lengths): fewer loop checks in tier-1 code.
    for (; i + 1 < length; i += 2, j += 4) {
      int a = nib[c[j] & 0xff];
      int b = nib[c[j + 1] & 0xff];
      int d = nib[c[j + 2] & 0xff];
      int e = nib[c[j + 3] & 0xff];
      if ((a | b | d | e) < 0) {
        return null;
      }
      out[i] = (byte) ((a << 4) | b);
      out[i + 1] = (byte) ((d << 4) | e);
    }
    if (i < length) {
      int hi = nib[c[j] & 0xff];
      int lo = nib[c[j + 1] & 0xff];
      if ((hi | lo) < 0) {
        return null;
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    pos = close + 1;
    afterOpen = false;
    return out;
  }

  /**
   * The fast path for hex data (call input, log data): if the next value is {@code "0x"} and an
   * even number of hex digits, consumes it and returns the bytes, in one pass over the text;
   * otherwise (escapes, an odd count, bad digits, not a string) returns null without moving.
   */
  byte[] hexData() {
    int j = hexStart();
    if (j < 0) {
      return null;
    }
    byte[] c = buf;
    byte[] nib = Hex.DIGIT;
    byte[] out = decoded;
    int n = 0;
    int last = end - 1;
    // A closing quote is not a hex digit: the loop stops on it, or on anything else not hex.
    while (j < last) {
      int hi = nib[c[j] & 0xff];
      int lo = nib[c[j + 1] & 0xff];
      if ((hi | lo) < 0) {
        break;
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
        decoded = out;
      }
      out[n++] = (byte) ((hi << 4) | lo);
      j += 2;
    }
    if (j >= end || c[j] != '"') {
      return null;
    }
    pos = j + 1;
    afterOpen = false;
    return Arrays.copyOf(out, n);
  }

  /**
   * The fast path for an amount: if the next value is {@code "0x"} and 1 to 32 hex digits worth
   * less than 10^38, consumes it and returns its decimal(38,0) bytes (16, big-endian); otherwise
   * (leading zeros past 32 digits, too large, bad digits, escapes, not a string) returns null
   * without moving, and the caller reads it the slow way.
   */
  byte[] hexDecimal38() {
    int first = hexStart();
    if (first < 0) {
      return null;
    }
    byte[] c = buf;
    byte[] nib = Hex.DIGIT;
    long hi = 0;
    long lo = 0;
    int j = first;
    int stop = Math.min(end, j + 33);
    while (j < stop) {
      int d = nib[c[j] & 0xff];
      if (d < 0) {
        break;
      }
      hi = (hi << 4) | (lo >>> 60);
      lo = (lo << 4) | d;
      j++;
    }
    int digits = j - first;
    if (digits == 0 || digits > 32 || j >= end || c[j] != '"' || !Hex.fitsDecimal38(hi, lo)) {
      return null;
    }
    pos = j + 1;
    afterOpen = false;
    return Hex.bigEndian16(hi, lo);
  }

  /**
   * The fast path for a quantity: if the next value is {@code "0x"} and 1 to 15 hex digits (below
   * 2^60, so no overflow check), consumes it and returns its value; otherwise returns -1 without
   * moving.
   */
  long hexQuantity() {
    int first = hexStart();
    if (first < 0) {
      return -1;
    }
    long v = 0;
    int j = first;
    int stop = Math.min(end, j + 16);
    byte[] c = buf;
    byte[] nib = Hex.DIGIT;
    while (j < stop) {
      int d = nib[c[j] & 0xff];
      if (d < 0) {
        break;
      }
      v = (v << 4) | d;
      j++;
    }
    int digits = j - first;
    if (digits == 0 || digits > 15 || j >= end || c[j] != '"') {
      return -1;
    }
    pos = j + 1;
    afterOpen = false;
    return v;
  }

  /**
   * Reads the next value, which must be a number, and returns it if it is an integer of at most 9
   * digits without sign, fraction or exponent, else -1.
   */
  int smallInt() {
    int from = peekPosition();
    skipNumber();
    int n = pos - from;
    if (n > 9) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < pos; i++) {
      byte b = buf[i];
      if (b < '0' || b > '9') {
        return -1;
      }
      v = v * 10 + (b - '0');
    }
    return v;
  }

  /** The document. */
  byte[] source() {
    return buf;
  }

  /** The position of the next value, after whitespace. */
  int peekPosition() {
    peek();
    return pos;
  }

  private void skipNumber() {
    int p = pos;
    if (p < end && buf[p] == '-') {
      p++;
    }
    if (p < end && buf[p] == '0') {
      p++;
    } else {
      int d = digits(p);
      if (d == p) {
        pos = p;
        throw error("invalid number");
      }
      p = d;
    }
    if (p < end && buf[p] == '.') {
      int d = digits(p + 1);
      if (d == p + 1) {
        pos = d;
        throw error("invalid number");
      }
      p = d;
    }
    if (p < end && (buf[p] == 'e' || buf[p] == 'E')) {
      p++;
      if (p < end && (buf[p] == '+' || buf[p] == '-')) {
        p++;
      }
      int d = digits(p);
      if (d == p) {
        pos = d;
        throw error("invalid number");
      }
      p = d;
    }
    pos = p;
    afterOpen = false;
  }

  private int digits(int p) {
    while (p < end && buf[p] >= '0' && buf[p] <= '9') {
      p++;
    }
    return p;
  }

  /** Skips the next value, whatever it is, checking its syntax. */
  void skipValue() {
    boolean[] objects = null; // open containers of this value: true for an object
    int depth = 0;
    while (true) {
      int b = peek();
      if (b == '{' || b == '[') {
        if (objects == null) {
          objects = new boolean[8];
        } else if (depth == objects.length) {
          objects = Arrays.copyOf(objects, depth * 2);
        }
        objects[depth++] = b == '{';
        pos++;
        afterOpen = true;
      } else {
        skipScalar(b);
      }
      while (depth > 0 && !(objects[depth - 1] ? nextField() : nextElement())) {
        depth--;
      }
      if (depth == 0) {
        return;
      }
    }
  }

  private void skipScalar(int b) {
    switch (b) {
      case '"' -> skipString();
      case 't' -> literal(TRUE);
      case 'f' -> literal(FALSE);
      case 'n' -> literal(NULL);
      default -> {
        if (b == '-' || (b >= '0' && b <= '9')) {
          skipNumber();
        } else {
          throw error("expected a value");
        }
      }
    }
  }

  /** Skips a string, finding its end; its escapes and characters are not checked. */
  private void skipString() {
    byte[] c = buf;
    int e = end;
    int i = pos + 1;
    while (true) {
      // Four bytes a round: the first-tier JIT the launcher runs keeps every loop's checks.
      while (i + 4 <= e && c[i] != '"' && c[i + 1] != '"' && c[i + 2] != '"' && c[i + 3] != '"') {
        i += 4;
      }
      while (i < e && c[i] != '"') {
        i++;
      }
      if (i >= end) {
        pos = end;
        throw error("");
      }
      int backslashes = 0;
      while (c[i - 1 - backslashes] == '\\') {
        backslashes++;
      }
      if ((backslashes & 1) == 0) {
        pos = i + 1;
        afterOpen = false;
        return;
      }
      i++;
    }
  }

  /** Skips the next value and returns its JSON text, shortened to 80 characters; for messages. */
  String describeValue() {
    int from = peekPosition();
    skipValue();
    String s = new String(buf, from, pos - from, StandardCharsets.UTF_8);
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
