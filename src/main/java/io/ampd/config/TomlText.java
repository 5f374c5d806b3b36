package io.ampd.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.ampd.core.Json;

/**
 * The one TOML reader of ampd, for the config file and the provider files: text to a tree, or a
 * one-line reason with the line it is on.
 */
public final class TomlText {
  private TomlText() {}

  private static final class Holder {
    static final TomlMapper MAPPER = new TomlMapper();
  }

  /** Why a text is not valid TOML: a one-line reason, and its line (0 when not known). */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    Invalid(String reason, int line) {
      super(reason, null, false, false);
      this.line = line;
    }

    /** The 1-based line of the problem, or 0. */
    public int line() {
      return line;
    }
  }

  /** Parses {@code text}; an empty text is an empty table. */
  public static ObjectNode parse(String text) throws Invalid {
    JsonNode node;
    try {
      node = Holder.MAPPER.readTree(text);
    } catch (JacksonException e) {
      String reason = Json.reason(e, "invalid TOML");
      JsonLocation loc = e.getLocation();
      int lineNr = loc == null ? 0 : Math.max(0, loc.getLineNr());
      if (lineNr > 0 && reason.startsWith("duplicate key")) {
        lineNr = lineBefore(text, lineNr, loc.getColumnNr());
      }
      throw new Invalid(reason, lineNr);
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return Holder.MAPPER.createObjectNode();
    }
    return (ObjectNode) node;
  }

  /**
   * Jackson reports a duplicate key at the token after the duplicated value: the line of the last
   * non-blank character before that position is the line of the duplicate.
   */
  private static int lineBefore(String text, int line, int column) {
    int offset = 0;
    for (int l = 1; l < line && offset >= 0; l++) {
      offset = text.indexOf('\n', offset) + 1;
      if (offset == 0) {
        return line;
      }
    }
    int pos = Math.min(text.length(), offset + Math.max(0, column - 1)) - 1;
    while (pos >= 0 && Character.isWhitespace(text.charAt(pos))) {
      pos--;
    }
    if (pos < 0) {
      return line;
    }
    int n = 1;
    for (int i = 0; i < pos; i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
