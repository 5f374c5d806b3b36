package io.ampd.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A table of names to scalar values (string, integer, float, boolean), each kept as a string:
 * {@code [metadata_db.managed.server_settings]}. Entries are overridden one by one from the
 * environment ({@code AMP_CONFIG_…__SERVER_SETTINGS__WORK_MEM}). Names are lower-cased (PostgreSQL
 * setting names are case-insensitive); some names may be reserved.
 */
final class ScalarTableType implements ValueType<Map<String, String>> {
  private final List<String> reserved;
  private final String reservedReason;

  /**
   * @param reserved names that may not be set
   * @param reservedReason why, completing "… cannot be set: "
   */
  ScalarTableType(List<String> reserved, String reservedReason) {
    this.reserved = List.copyOf(reserved);
    this.reservedReason = reservedReason;
  }

  @Override
  public String expected() {
    return "a table";
  }

  @Override
  public Map<String, String> fromToml(JsonNode node, Field field) {
    if (!node.isObject()) {
      throw ValueType.mismatch(node, field, expected());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String name = name(e.getKey(), field);
      JsonNode v = e.getValue();
      if (!v.isValueNode() || v.isNull()) {
        throw ValueType.mismatch(v, field.entry(name), "a string, integer, float or boolean");
      }
      out.put(name, v.asText());
    }
    return out;
  }

  @Override
  public Map<String, String> fromEnv(String text, Field field) {
    throw field.invalid(
        "a table cannot be set as a whole from the environment",
        "set one entry per variable, e.g. " + field.origin() + "__WORK_MEM=64MB");
  }

  /** Checks an entry name; returns it lower-cased. */
  String name(String raw, Field field) {
    String name = raw.toLowerCase(Locale.ROOT);
    if (!name.matches("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?")) {
      throw field.invalid(
          ValueType.show(raw)
              + " is not a valid setting name (letters, digits, _ and one"
              + " optional '.')");
    }
    if (reserved.contains(name)) {
      throw field
          .entry(name)
          .invalid(
              name + " cannot be set: " + reservedReason,
              "remove " + name + " from the configuration; solo sets it itself");
    }
    return name;
  }
}
