package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads the fields of one JSON object strictly: a field the document does not know, a missing
 * required field, a wrong type or a value out of range is an {@link InvalidDocumentException}
 * naming the field (as a dotted path from the document's root), the value and the rule. JSON {@code
 * null} counts as absent. Callers validate URL fields themselves, to quote them redacted.
 */
final class DocumentReader {
  private static final int MAX_QUOTED = 80;

  private final String document;
  private final String prefix;
  private final JsonNode object;
  private final String hint;

  private DocumentReader(String document, String prefix, JsonNode object, String hint) {
    this.document = document;
    this.prefix = prefix;
    this.object = object;
    this.hint = hint;
  }

  /**
   * A reader of {@code node}, which must be an object holding only {@code known} fields.
   *
   * @param document what is read, first word of every message ({@code provider}, {@code manifest})
   * @param path the dotted path of {@code node} in the document, empty for the root
   */
  static DocumentReader of(
      String document, String path, JsonNode node, List<String> known, String hint) {
    if (node == null || !node.isObject()) {
      String what = node == null || node.isMissingNode() ? "nothing" : kindOf(node);
      if (path.isEmpty()) {
        throw new InvalidDocumentException(document + " must be a JSON object, got " + what, hint);
      }
      throw new InvalidDocumentException(
          document, path, "must be a JSON object, got " + what, hint);
    }
    String prefix = path.isEmpty() ? "" : path + ".";
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new InvalidDocumentException(
            document, prefix + name, "is unknown; known fields: " + String.join(", ", known), hint);
      }
    }
    return new DocumentReader(document, prefix, node, hint);
  }

  String path(String field) {
    return prefix + field;
  }

  JsonNode node(String field) {
    JsonNode n = object.get(field);
    return n == null || n.isNull() ? null : n;
  }

  InvalidDocumentException invalid(String field, String problem) {
    return new InvalidDocumentException(document, path(field), problem, hint);
  }

  JsonNode required(String field) {
    JsonNode n = node(field);
    if (n == null) {
      throw invalid(field, "is required");
    }
    return n;
  }

  String requiredString(String field) {
    JsonNode n = required(field);
    if (!n.isTextual()) {
      throw invalid(field, "must be a string, got " + kindOf(n));
    }
    return n.textValue();
  }

  String requiredMatching(String field, Pattern pattern, String rule) {
    String value = requiredString(field);
    if (!pattern.matcher(value).matches()) {
      throw invalid(field, "is " + quote(value) + ", " + rule);
    }
    return value;
  }

  /** An integer in {@code [min, max]}; {@code fallback} when absent. */
  long integer(String field, long fallback, long min, long max) {
    OptionalLong v = optionalInteger(field, min, max);
    return v.isPresent() ? v.getAsLong() : fallback;
  }

  long requiredInteger(String field, long min, long max) {
    required(field);
    return optionalInteger(field, min, max).getAsLong();
  }

  OptionalLong optionalInteger(String field, long min, long max) {
    JsonNode n = node(field);
    if (n == null) {
      return OptionalLong.empty();
    }
    if (!n.isIntegralNumber()) {
      throw invalid(field, "must be an integer, got " + kindOf(n));
    }
    if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
      throw invalid(field, "is " + n.asText() + ", expected " + range(min, max));
    }
    return OptionalLong.of(n.longValue());
  }

  /** A boolean; {@code fallback} when absent. */
  boolean bool(String field, boolean fallback) {
    JsonNode n = node(field);
    if (n == null) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw invalid(field, "must be true or false, got " + kindOf(n));
    }
    return n.booleanValue();
  }

  /** The strings of an array field; {@code null} when absent. */
  List<String> optionalStrings(String field) {
    JsonNode n = node(field);
    if (n == null) {
      return null;
    }
    if (!n.isArray()) {
      throw invalid(field, "must be an array of strings, got " + kindOf(n));
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw invalid(field, "must be an array of strings, holds " + kindOf(e));
      }
      out.add(e.textValue());
    }
    return out;
  }

  static String range(long min, long max) {
    if (max == Long.MAX_VALUE) {
      return min + " or more";
    }
    return min + " to " + max;
  }

  /** A value for a message: JSON-quoted, cut to a readable length. */
  static String quote(String value) {
    String v = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "…" : value;
    return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  static String kindOf(JsonNode n) {
    return switch (n.getNodeType()) {
      case STRING -> "a string";
      // 1.5 and 1e30 alike: Jackson reads both as a double.
      case NUMBER -> n.isIntegralNumber() ? "an integer" : "the number " + n.asText();
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
