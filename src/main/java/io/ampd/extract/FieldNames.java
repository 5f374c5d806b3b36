package io.ampd.extract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The field names a decoder knows for one kind of object (a block, a transaction, a log), matched
 * as bytes against the JSON: no String per name. A node writes every object of a kind the same way,
 * so the name that followed a field last time is expected next and compared in place ({@link
 * JsonScanner#name}); a miss falls back to comparing with every name seen. Names the decoder does
 * not use (a block's {@code nonce}, a transaction's {@code r}) are learned too, up to {@link
 * #MAX_NAMES} in all, so that they and the field after them are found by the first comparison as
 * well; {@link #match} reports them as {@link #UNKNOWN}. One per decoder: not thread-safe.
 */
final class FieldNames {
  /** Returned for a name the decoder does not use. */
  static final int UNKNOWN = -1;

  static final int MAX_NAMES = 64;

  private static final int NONE = -1;

  /** The known names, then the unknown ones learned. */
  private byte[][] names;

  private final int known;
  private int size;

  /**
   * The name that followed name {@code i} last time, or {@link #NONE}; slot {@link #MAX_NAMES}: the
   * first name of an object.
   */
  private final int[] after = new int[MAX_NAMES + 1];

  private int previous = MAX_NAMES;

  /** Knows {@code names}; {@link #match} returns a name's index in this list. */
  FieldNames(String... names) {
    if (names.length > MAX_NAMES / 2) {
      throw new IllegalArgumentException("too many names: " + names.length);
    }
    this.names = new byte[names.length + 8][];
    for (int i = 0; i < names.length; i++) {
      this.names[i] = names[i].getBytes(StandardCharsets.UTF_8);
    }
    this.known = names.length;
    this.size = names.length;
    Arrays.fill(after, NONE);
  }

  /** Call at the start of each object. */
  void start() {
    previous = MAX_NAMES;
  }

  /** The name expected next, or null. */
  byte[] guess() {
    int g = after[previous];
    return g == NONE ? null : names[g];
  }

  /** The index of {@link #guess()}, found in place; {@link #UNKNOWN} for an unused name. */
  int guessed() {
    previous = after[previous];
    return previous < known ? previous : UNKNOWN;
  }

  /**
   * The index of the name {@code s} just read ({@link JsonScanner#text()}), or {@link #UNKNOWN}.
   */
  int match(JsonScanner s) {
    int length = s.textLength();
    int found = NONE;
    for (int i = 0; i < size; i++) {
      if (names[i].length == length && s.textEquals(names[i])) {
        found = i;
        break;
      }
    }
    if (found == NONE) {
      if (size == MAX_NAMES) {
        return UNKNOWN; // previous stays: the next name is still guessed from it
      }
      if (size == names.length) {
        names = Arrays.copyOf(names, Math.min(MAX_NAMES, size * 2));
      }
      names[size] = Arrays.copyOfRange(s.text(), s.textStart(), s.textStart() + length);
      found = size++;
    }
    after[previous] = found;
    previous = found;
    return found < known ? found : UNKNOWN;
  }
}
