package io.ampd.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a TOML file into a tree, with one-line errors that name the file and line. */
final class TomlFile {
  private TomlFile() {}

  private static final class Holder {
    static final TomlMapper MAPPER = new TomlMapper();
  }

  static ObjectNode read(Path file) {
    if (!Files.exists(file)) {
      throw new ConfigException(
          "config file " + file + " does not exist",
          "check --config or AMP_CONFIG; .amp.example/config.toml shows every key");
    }
    if (Files.isDirectory(file)) {
      throw new ConfigException(
          "config file " + file + " is a directory", "give the path of a TOML file");
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          "cannot read " + file + ": permission denied",
          "make the file readable by the user running ampd");
    } catch (CharacterCodingException e) {
      throw new ConfigException("cannot read " + file + ": it is not UTF-8 text", null);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e, null);
    }
    return parse(text, file.toString());
  }

  /** Parses TOML text; {@code source} names it in errors. */
  static ObjectNode parse(String text, String source) {
    JsonNode node;
    try {
      node = Holder.MAPPER.readTree(text);
    } catch (JacksonException e) {
      String reason = e.getOriginalMessage();
      reason = reason == null || reason.isBlank() ? "invalid TOML" : reason.strip();
      reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
      reason = reason.lines().findFirst().orElse(reason);
      JsonLocation loc = e.getLocation();
      int lineNr = loc == null ? -1 : loc.getLineNr();
      if (lineNr > 0 && reason.startsWith("duplicate key")) {
        lineNr = lineBefore(text, lineNr, loc.getColumnNr());
      }
      String line = lineNr > 0 ? " (line " + lineNr + ")" : "";
      throw new ConfigException(
          "cannot parse " + source + ": " + reason + line, "the file must be valid TOML");
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
