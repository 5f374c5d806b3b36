package io.ampd.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/** The value types of {@link ConfigKey}s. */
final class ValueTypes {
  private ValueTypes() {}

  /** Reads a string value, then converts it; TOML and env differ only in the first step. */
  private abstract static class TextType<T> implements ValueType<T> {
    @Override
    public final T fromToml(JsonNode node, Field field) {
      if (!node.isTextual()) {
        throw ValueType.mismatch(node, field, expected());
      }
      return fromEnv(node.textValue(), field);
    }
  }

  /** A non-empty string. */
  static final ValueType<String> STRING =
      new TextType<>() {
        @Override
        public String expected() {
          return "a string";
        }

        @Override
        public String fromEnv(String text, Field field) {
          if (text.isBlank()) {
            throw field.invalid("\"" + text + "\" is empty, expected a non-empty string");
          }
          return text;
        }
      };

  /** A path, resolved against the base folder; absolute and normalized. */
  static final ValueType<Path> PATH =
      new TextType<>() {
        @Override
        public String expected() {
          return "a string (a path)";
        }

        @Override
        public Path fromEnv(String text, Field field) {
          if (text.isBlank()) {
            throw field.invalid("\"" + text + "\" is empty, expected a path");
          }
          try {
            return field.baseDir().resolve(text).toAbsolutePath().normalize();
          } catch (InvalidPathException e) {
            throw field.invalid(ValueType.show(text) + " is not a valid path: " + e.getReason());
          }
        }
      };

  /** The word {@code bundled}, or a path (resolved like {@link #PATH}). */
  static final ValueType<String> BIN_DIR =
      new TextType<>() {
        @Override
        public String expected() {
          return "a string (a path, or \"bundled\")";
        }

        @Override
        public String fromEnv(String text, Field field) {
          if (text.equals("bundled")) {
            return text;
          }
          return PATH.fromEnv(text, field).toString();
        }
      };

  /** A listen address {@code host:port} or {@code [ipv6]:port}. */
  static final ValueType<HostPort> ADDRESS =
      new TextType<>() {
        @Override
        public String expected() {
          return "a string (host:port)";
        }

        @Override
        public HostPort fromEnv(String text, Field field) {
          String host;
          String port;
          if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            host = close < 0 ? "" : text.substring(1, close);
            port = close < 0 ? "" : text.substring(close + 2);
          } else {
            int colon = text.lastIndexOf(':');
            host = colon < 0 ? "" : text.substring(0, colon);
            port = colon < 0 ? "" : text.substring(colon + 1);
          }
          if (host.isEmpty()
              || host.contains(":") != text.startsWith("[")
              || host.chars().anyMatch(Character::isWhitespace)
              || !port.matches("[0-9]{1,5}")) {
            throw field.invalid(
                ValueType.show(text) + " is not host:port",
                "for example 127.0.0.1:1610, 0.0.0.0:1610 or [::1]:1610");
          }
          int p = Integer.parseInt(port);
          if (p < 1 || p > 65535) {
            throw field.invalid(
                ValueType.show(text)
                    + " has port "
                    + p
                    + ", which is out of range (must be 1 to 65535)");
          }
          return new HostPort(host, p);
        }
      };

  /** A libpq connection URI. */
  static final ValueType<PgUrl> PG_URL =
      new TextType<>() {
        @Override
        public String expected() {
          return "a string (a PostgreSQL URL)";
        }

        @Override
        public PgUrl fromEnv(String text, Field field) {
          try {
            return PgUrl.parse(text);
          } catch (ConfigException e) {
            throw field.invalid(e.getMessage(), e.hint());
          }
        }
      };

  /** {@code true} or {@code false}. */
  static final ValueType<Boolean> BOOLEAN =
      new ValueType<>() {
        @Override
        public String expected() {
          return "a boolean (true or false)";
        }

        @Override
        public Boolean fromToml(JsonNode node, Field field) {
          if (!node.isBoolean()) {
            throw ValueType.mismatch(node, field, expected());
          }
          return node.booleanValue();
        }

        @Override
        public Boolean fromEnv(String text, Field field) {
          String t = text.trim().toLowerCase(Locale.ROOT);
          if (t.equals("true") || t.equals("false")) {
            return Boolean.valueOf(t);
          }
          throw field.invalid(ValueType.show(text) + " is not a boolean (true or false)");
        }
      };

  /** An integer within {@code [min, max]}. */
  static ValueType<Integer> integer(int min, int max) {
    return new ValueType<>() {
      @Override
      public String expected() {
        return "an integer";
      }

      @Override
      public Integer fromToml(JsonNode node, Field field) {
        if (!node.isIntegralNumber()) {
          throw ValueType.mismatch(node, field, expected());
        }
        return check(node.bigIntegerValue(), field);
      }

      @Override
      public Integer fromEnv(String text, Field field) {
        String t = text.trim();
        if (!t.matches("[-+]?[0-9]+")) {
          throw field.invalid(ValueType.show(text) + " is not an integer");
        }
        return check(new BigInteger(t.startsWith("+") ? t.substring(1) : t), field);
      }

      private Integer check(BigInteger value, Field field) {
        if (value.compareTo(BigInteger.valueOf(min)) < 0) {
          throw field.invalid(value + " is out of range (must be at least " + min + ")");
        }
        if (value.compareTo(BigInteger.valueOf(max)) > 0) {
          throw field.invalid(value + " is out of range (must be at most " + max + ")");
        }
        return value.intValue();
      }
    };
  }
}
