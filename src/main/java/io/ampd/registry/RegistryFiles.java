package io.ampd.registry;

import io.ampd.core.AmpdException;
import io.ampd.core.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files of one kind ({@code *.toml}, {@code *.json}) in a folder, read as UTF-8 text. */
final class RegistryFiles {
  private RegistryFiles() {}

  record Text(Path file, String content) {}

  /**
   * The regular files in {@code dir} whose name ends with {@code suffix}, sorted by name; none when
   * {@code dir} does not exist. Hidden files ({@code .x.toml}, editor leftovers) are skipped.
   */
  static List<Text> read(Path dir, String suffix, String setting) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    if (!Files.isDirectory(dir)) {
      throw new AmpdException(
          setting + " " + dir + " is not a directory", "set " + setting + " to a folder");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + suffix)) {
      for (Path file : stream) {
        if (!file.getFileName().toString().startsWith(".") && Files.isRegularFile(file)) {
          files.add(file);
        }
      }
    } catch (IOException e) {
      throw new AmpdException(
          "cannot list " + setting + " " + dir + ": " + e.getMessage(),
          "make the folder readable by the user running ampd");
    }
    files.sort(null);
    List<Text> out = new ArrayList<>();
    for (Path file : files) {
      try {
        out.add(new Text(file, Files.readString(file)));
      } catch (CharacterCodingException e) {
        throw new AmpdException("cannot read " + file + ": it is not UTF-8 text", null);
      } catch (IOException e) {
        throw new AmpdException(
            "cannot read " + file + ": " + e.getMessage(),
            "make the file readable by the user running ampd");
      }
    }
    return out;
  }

  /** An error in {@code file}: the file name, then the validation message. */
  static AmpdException inFile(Path file, AmpdException e) {
    return new AmpdException(file + ": " + e.getMessage(), e.hint(), e);
  }

  /** Jackson's parse error as one line, lowercase first letter, no source excerpt. */
  static String reason(com.fasterxml.jackson.core.JacksonException e, String fallback) {
    String reason = Json.reason(e, fallback);
    var loc = e.getLocation();
    if (loc != null && loc.getLineNr() > 0) {
      reason = "line " + loc.getLineNr() + ": " + reason;
    }
    return reason;
  }
}
