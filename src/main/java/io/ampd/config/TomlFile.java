package io.ampd.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the config file into a tree ({@link TomlText}), with one-line errors naming the file. */
final class TomlFile {
  private TomlFile() {}

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
    try {
      return TomlText.parse(text);
    } catch (TomlText.Invalid e) {
      String line = e.line() > 0 ? " (line " + e.line() + ")" : "";
      throw new ConfigException(
          "cannot parse " + source + ": " + e.getMessage() + line, "the file must be valid TOML");
    }
  }
}
