package io.ampd.extract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The field names a decoder knows for one kind of object (a block, a transaction, a log), matched
 * as bytes against the name {@link JsonScanner} just read: no String per name. A node writes every
 * object of a kind the same way, so the name that followed a field last time is tried first (one
 * comparison); a miss falls back to comparing with every known name. So objects with and without
 * optional fields (legacy and EIP-1559 transactions) cost at most a scan for the field after a
 * missing one. One per decoder: not thread-safe.
 */
final class FieldNames {
  /** Returned by {@link #match} for a name not known. */
  static final int UNKNOWN = -1;

  private final byte[][] names;

  /** The field that followed field {@code i} last time; slot {@code names.length}: the first. */
  private final int[] after;

  private int previous;

  /** Knows {@code names}; {@link #match} returns a name's index in this list. */
  FieldNames(String... names) {
    this.names = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      this.names[i] = names[i].getBytes(StandardCharsets.UTF_8);
    }
    this.after = new int[names.length + 1];
    Arrays.fill(after, UNKNOWN);
    this.previous = names.length;
  }

  /** Call at the start of each object. */
  void start() {
    previous = names.length;
  }

  /** The name expected next (the one that followed the previous field last time), or null. */
  byte[] guess() {
    int g = after[previous];
    return g < 0 ? null : names[g];
  }

  /** The index of {@link #guess()}, which the scanner found in place. */
  int guessed() {
    previous = after[previous];
    return previous;
  }

  /**
   * The index of the name {@code s} just read ({@link JsonScanner#text()}), or {@link #UNKNOWN}.
   */
  int match(JsonScanner s) {
    int guess = after[previous];
    if (guess >= 0 && s.textEquals(names[guess])) {
      previous = guess;
      return guess;
    }
    int length = s.textLength();
    for (int i = 0; i < names.length; i++) {
      if (names[i].length == length && i != guess && s.textEquals(names[i])) {
        after[previous] = i;
        previous = i;
        return i;
      }
    }
    return UNKNOWN;
  }

  String name(int index) {
    return new String(names[index], StandardCharsets.UTF_8);
  }
}
