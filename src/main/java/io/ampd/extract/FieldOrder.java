package io.ampd.extract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.util.Arrays;

/**
 * The field names of one kind of object (a block, a transaction, a log) in the order the node wrote
 * them last: a node writes every object of a kind the same way, so the next name is guessed and
 * matched as raw bytes ({@link JsonParser#nextFieldName(
 * com.fasterxml.jackson.core.SerializableString)}), skipping the parser's name decoding and symbol
 * table. A wrong guess costs one ordinary name read and is learned: a name a few places ahead means
 * optional fields absent from this object (the guesses go on from there); a name not ahead is
 * inserted. So objects of a kind with and without optional fields (legacy and EIP-1559
 * transactions) converge on one order that fits them all. At most {@link #MAX_NAMES} names are
 * kept. One per decoder: not thread-safe.
 */
final class FieldOrder {
  static final int MAX_NAMES = 64;
  private static final int LOOK_AHEAD = 4;

  private SerializedString[] names = new SerializedString[16];
  private int size;
  private int next;

  /** Call at the start of each object. */
  void start() {
    next = 0;
  }

  /** The next field name of the current object (the parser moves onto it); null at its end. */
  String next(JsonParser p) throws IOException {
    if (next < size && p.nextFieldName(names[next])) {
      return names[next++].getValue();
    }
    String name;
    if (next >= size) {
      name = p.nextFieldName(); // nothing guessed: the parser has not moved yet
      if (name == null) {
        return null;
      }
    } else {
      if (p.currentToken() != JsonToken.FIELD_NAME) {
        return null;
      }
      name = p.currentName();
      for (int j = next + 1; j < size && j <= next + LOOK_AHEAD; j++) {
        if (names[j].getValue().equals(name)) {
          next = j + 1;
          return name;
        }
      }
    }
    insert(name);
    return name;
  }

  private void insert(String name) {
    SerializedString s = new SerializedString(name);
    if (size == MAX_NAMES) {
      if (next < size) {
        names[next++] = s;
      }
      return;
    }
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
    }
    System.arraycopy(names, next, names, next + 1, size - next);
    names[next++] = s;
    size++;
  }
}
