package io.ampd.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The type of a configuration key: reads a TOML value or an environment string into a Java value
 * and checks it, failing with a message that names key, value and rule.
 *
 * @param <T> the Java type of the value
 */
interface ValueType<T> {

  /** What a value must look like, for messages and docs: "an integer from 1 to 1000". */
  String expected();

  /** Reads a TOML value (also used for defaults, which are stored as TOML values). */
  T fromToml(JsonNode node, Field field);

  /** Reads the text of an environment variable. */
  T fromEnv(String text, Field field);

  /** {@code "text"} for strings (with any URL password masked), else the TOML value. */
  static String show(JsonNode node) {
    if (node.isTextual()) {
      return show(node.textValue());
    }
    String s = node.isContainerNode() ? node.toString() : node.asText();
    s = PgUrl.redact(s);
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  /** A string value as shown in messages: quoted, any URL password masked. */
  static String show(String text) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : PgUrl.redact(text).toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** "a string", "an integer"… for a TOML value. */
  static String kind(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    } else if (node.isIntegralNumber()) {
      return "an integer";
    } else if (node.isNumber()) {
      return "a float";
    } else if (node.isBoolean()) {
      return "a boolean";
    } else if (node.isObject()) {
      return "a table";
    } else if (node.isArray()) {
      return "an array";
    }
    return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The common type mismatch: {@code "ten" is a string, expected an integer}. */
  static ConfigException mismatch(JsonNode node, Field field, String expected) {
    return field.invalid(show(node) + " is " + kind(node) + ", expected " + expected);
  }
}
