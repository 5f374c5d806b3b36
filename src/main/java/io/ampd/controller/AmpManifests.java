package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.controller.http.ApiException;
import io.ampd.extract.ParquetSchemas;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ManifestParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Amp's {@code evm-rpc} manifest shape (Amp's {@code crates/core/datasets-raw/src/manifest.rs}; the
 * TypeScript client's {@code DatasetEvmRpc} in {@code typescript/amp/src/Model.ts}):
 *
 * <pre>
 * {"kind": "evm-rpc", "network": "mainnet", "start_block": 0, "finalized_blocks_only": false,
 *  "tables": {"blocks": {"network": "mainnet",
 *                        "schema": {"arrow": {"fields": [{"name": "block_num", "type": "Int64",
 *                                                         "nullable": false}, …]}}}, …}}
 * </pre>
 *
 * <p>ampd reads it into its own manifest ({@link EvmRpcManifest}): the tables named, {@code
 * start_block} (default 0, as Amp's), and ampd's optional {@code confirmations} and {@code
 * end_block} when given. Each table's Arrow schema must be the schema ampd writes (same column
 * names, types and nullability; order does not matter), or Amp's own schema of the table: where
 * Amp's type differs from ampd's in width or sign only, the manifest may give Amp's ({@link
 * #compatible}: {@code UInt64} for ampd's {@code Int64}, {@code UInt32} for {@code Int32}, a
 * timestamp of any unit, {@code Utf8} for a decimal, as Amp writes a transaction's {@code value});
 * any other difference is refused naming the table and column, since ampd cannot write another
 * schema. ampd's own columns, which Amp does not have ({@link ParquetSchemas#ownColumns}, such as a
 * block's {@code size}), may be left out: they are written all the same, so a manifest as Amp
 * generates it registers. {@code finalized_blocks_only: true} is
 * refused (ampd follows the head less {@code confirmations} blocks). Keys starting with {@code $}
 * (such as {@code $comment}) are ignored; any other unknown key is refused.
 *
 * <p>{@link #render} writes a stored manifest in this shape, with ampd's Arrow schemas: it can be
 * registered again as it is.
 */
final class AmpManifests {
  /** Amp's code for a manifest that is malformed ({@code datasets/register.rs}). */
  static final String INVALID_MANIFEST = "INVALID_MANIFEST";

  /** Amp's code for a well-formed manifest that cannot be registered. */
  static final String MANIFEST_VALIDATION_ERROR = "MANIFEST_VALIDATION_ERROR";

  private static final Set<String> FIELDS =
      Set.of(
          "kind",
          "network",
          "start_block",
          "finalized_blocks_only",
          "tables",
          "confirmations",
          "end_block");

  private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");

  private AmpManifests() {}

  /** Whether {@code manifest} is in Amp's shape: an object whose {@code tables} is an object. */
  static boolean isAmpShape(JsonNode manifest) {
    return manifest != null && manifest.isObject() && manifest.path("tables").isObject();
  }

  /** Whether {@code manifest} is a manifest hash (Amp's registration by reference). */
  static boolean isHash(JsonNode manifest) {
    return manifest != null && manifest.isTextual() && HASH.matcher(manifest.asText()).matches();
  }

  /**
   * The manifest in ampd's shape ({@link ManifestParser}) that {@code amp} means, after checking
   * every table's schema against ampd's. Field values (network, start_block, …) are left to {@link
   * ManifestParser} to validate, so its errors apply.
   */
  static ObjectNode toAmpd(JsonNode amp) {
    for (Iterator<String> it = amp.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!FIELDS.contains(key) && !key.startsWith("$")) {
        throw invalid(
            "manifest",
            "manifest field '"
                + key
                + "' is unknown; an "
                + DatasetKind.EVM_RPC.kindName()
                + " manifest has kind, network, start_block,"
                + " finalized_blocks_only, tables (and ampd's confirmations, end_block)");
      }
    }
    String kind = amp.path("kind").asText("");
    if (!amp.path("kind").isTextual()) {
      throw invalid("manifest.kind", "manifest field 'kind' is missing or not a string");
    }
    if (DatasetKind.byName(kind) != DatasetKind.EVM_RPC) {
      throw invalid(
          "manifest.kind",
          "manifest kind '"
              + kind
              + "' is not supported: ampd extracts "
              + DatasetKind.names()
              + " datasets only");
    }
    JsonNode finalized = amp.get("finalized_blocks_only");
    if (finalized != null && !finalized.isNull() && !finalized.isBoolean()) {
      throw invalid(
          "manifest.finalized_blocks_only",
          "manifest field 'finalized_blocks_only' is " + finalized + ", expected true or false");
    }
    if (finalized != null && finalized.asBoolean(false)) {
      throw new ApiException(
          400,
          MANIFEST_VALIDATION_ERROR,
          "manifest field 'finalized_blocks_only' is true, which ampd does not support: it extracts"
              + " blocks once 'confirmations' blocks are on top of them (give confirmations"
              + " instead)",
          Map.of("field", "manifest.finalized_blocks_only"));
    }
    JsonNode network = amp.get("network");
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("kind", kind);
    out.set("network", network == null ? JsonNodeFactory.instance.nullNode() : network);
    out.set(
        "start_block",
        amp.has("start_block") ? amp.get("start_block") : JsonNodeFactory.instance.numberNode(0));
    for (String extra : List.of("end_block", "confirmations")) {
      if (amp.has(extra)) {
        out.set(extra, amp.get(extra));
      }
    }
    ArrayNode names = out.putArray("tables");
    JsonNode tables = amp.get("tables");
    if (tables.isEmpty()) {
      throw invalid("manifest.tables", "manifest field 'tables' is empty; " + tableHint());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = tables.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      EvmTable table = table(e.getKey());
      checkTable(table, e.getValue(), network);
      names.add(table.tableName());
    }
    return out;
  }

  private static EvmTable table(String name) {
    for (EvmTable t : EvmTable.values()) {
      if (t.tableName().equals(name)) {
        return t;
      }
    }
    throw new ApiException(
        400,
        MANIFEST_VALIDATION_ERROR,
        "manifest table '" + name + "' is not one ampd extracts; " + tableHint(),
        Map.of("field", "manifest.tables." + name));
  }

  private static String tableHint() {
    List<String> names = new ArrayList<>();
    for (EvmTable t : EvmTable.values()) {
      names.add(t.tableName());
    }
    return "expected some of " + String.join(", ", names);
  }

  private static void checkTable(EvmTable table, JsonNode def, JsonNode network) {
    String at = "manifest.tables." + table.tableName();
    if (!def.isObject()) {
      throw invalid(at, "manifest field '" + at + "' is not an object {schema, network}");
    }
    JsonNode tableNetwork = def.get("network");
    if (tableNetwork != null && network != null && !tableNetwork.equals(network)) {
      throw new ApiException(
          400,
          MANIFEST_VALIDATION_ERROR,
          "manifest table '"
              + table.tableName()
              + "' has network "
              + tableNetwork
              + ", but the manifest's network is "
              + network,
          Map.of("field", at + ".network"));
    }
    JsonNode fields = def.path("schema").path("arrow").path("fields");
    if (!fields.isArray()) {
      throw invalid(
          at + ".schema.arrow.fields",
          "manifest field '" + at + ".schema.arrow.fields' is missing or not an array");
    }
    Map<String, ObjectNode> ours = new LinkedHashMap<>();
    for (JsonNode f : arrowFields(table)) {
      ours.put(f.get("name").asText(), (ObjectNode) f);
    }
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      JsonNode f = fields.get(i);
      String where = at + ".schema.arrow.fields[" + i + "]";
      if (!f.path("name").isTextual() || !f.has("type") || !f.path("nullable").isBoolean()) {
        throw invalid(where, "manifest field '" + where + "' is not {name, type, nullable}");
      }
      String column = f.get("name").asText();
      if (seen.put(column, i) != null) {
        throw mismatch(table, column, where, "is listed twice");
      }
      ObjectNode mine = ours.get(column);
      if (mine == null) {
        throw mismatch(
            table,
            column,
            where,
            "is not a column ampd writes (its columns: " + String.join(", ", ours.keySet()) + ")");
      }
      if (!compatible(f.get("type"), mine.get("type"))) {
        throw mismatch(
            table,
            column,
            where,
            "has type " + f.get("type") + ", but ampd writes " + mine.get("type"));
      }
      if (f.get("nullable").asBoolean() != mine.get("nullable").asBoolean()) {
        throw mismatch(
            table,
            column,
            where,
            "is "
                + (f.get("nullable").asBoolean() ? "nullable" : "not nullable")
                + ", but ampd writes it "
                + (mine.get("nullable").asBoolean() ? "nullable" : "never null"));
      }
    }
    Set<String> own = ParquetSchemas.ownColumns(table);
    for (String column : ours.keySet()) {
      if (!seen.containsKey(column) && !own.contains(column)) {
        throw mismatch(
            table,
            column,
            at + ".schema.arrow.fields",
            "is missing from the manifest, but ampd writes it (type "
                + ours.get(column).get("type")
                + ")");
      }
    }
  }

  /**
   * Whether a column ampd writes as {@code ours} reads as Amp's {@code amp} would: the same type, or
   * one of Amp's types ampd writes in another width or sign (documented in TABLES.md): {@code
   * UInt64} and {@code UInt32} as signed {@code Int64} and {@code Int32} (every value of these
   * columns is below 2^63, 2^31), a timestamp of any unit as milliseconds (block times are whole
   * seconds), {@code Utf8} as {@code Decimal128(38, 0)} (Amp writes a transaction's {@code value}
   * as decimal digits; ampd as the exact decimal). Lists and structs compare element by element
   * (names, nullability, types); Arrow's field metadata ({@code dict_id}, {@code metadata}) is
   * ignored.
   */
  static boolean compatible(JsonNode amp, JsonNode ours) {
    amp = normalize(amp);
    if (amp.equals(ours)) {
      return true;
    }
    if (amp.isTextual() && ours.isTextual()) {
      return (amp.asText().equals("UInt64") && ours.asText().equals("Int64"))
          || (amp.asText().equals("UInt32") && ours.asText().equals("Int32"));
    }
    if (amp.isTextual() && amp.asText().equals("Utf8") && ours.has("Decimal128")) {
      return true;
    }
    JsonNode ampTs = amp.path("Timestamp");
    JsonNode ourTs = ours.path("Timestamp");
    if (ampTs.isArray() && ourTs.isArray() && ampTs.size() == 2 && ourTs.size() == 2) {
      return ampTs.get(1).equals(ourTs.get(1));
    }
    JsonNode ampList = amp.path("List");
    JsonNode ourList = ours.path("List");
    if (ampList.isObject() && ourList.isObject()) {
      return sameField(ampList, ourList);
    }
    JsonNode ampStruct = amp.path("Struct");
    JsonNode ourStruct = ours.path("Struct");
    if (ampStruct.isArray() && ourStruct.isArray() && ampStruct.size() == ourStruct.size()) {
      for (int i = 0; i < ampStruct.size(); i++) {
        if (!ampStruct.get(i).path("name").equals(ourStruct.get(i).path("name"))
            || !sameField(ampStruct.get(i), ourStruct.get(i))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** An element of a list or struct ({@code {name, nullable, data_type, …}}), as compatible. */
  private static boolean sameField(JsonNode amp, JsonNode ours) {
    return amp.path("nullable").asBoolean(true) == ours.path("nullable").asBoolean(true)
        && compatible(amp.path("data_type"), ours.path("data_type"));
  }

  /** Amp spells UTC {@code "+00:00"}; {@code "UTC"} and {@code "Z"} mean the same. */
  private static JsonNode normalize(JsonNode type) {
    JsonNode ts = type.path("Timestamp");
    if (ts.isArray() && ts.size() == 2 && ts.get(1).isTextual()) {
      String tz = ts.get(1).asText();
      if (tz.equals("UTC") || tz.equals("Z") || tz.equals("+0000")) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.putArray("Timestamp").add(ts.get(0)).add("+00:00");
        return o;
      }
    }
    return type;
  }

  private static ApiException mismatch(EvmTable table, String column, String where, String why) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("field", where);
    details.put("table", table.tableName());
    details.put("column", column);
    return new ApiException(
        400,
        MANIFEST_VALIDATION_ERROR,
        "manifest table '"
            + table.tableName()
            + "' column '"
            + column
            + "' "
            + why
            + "; see .amp.example/manifests/TABLES.md or GET"
            + " /datasets/{namespace}/{name}/versions/{revision}/manifest of a registered version",
        details);
  }

  private static ApiException invalid(String field, String message) {
    return new ApiException(400, INVALID_MANIFEST, message, Map.of("field", field));
  }

  /**
   * A stored manifest in Amp's shape, tables with ampd's Arrow schemas, keys as Amp orders them.
   */
  static ObjectNode render(EvmRpcManifest manifest) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("kind", DatasetKind.EVM_RPC.kindName());
    o.put("network", manifest.network());
    o.put("start_block", manifest.startBlock());
    o.put("finalized_blocks_only", false);
    ObjectNode tables = o.putObject("tables");
    Map<String, EvmTable> sorted = new TreeMap<>();
    for (EvmTable t : manifest.tables()) {
      sorted.put(t.tableName(), t);
    }
    for (EvmTable t : sorted.values()) {
      ObjectNode table = tables.putObject(t.tableName());
      table.putObject("schema").putObject("arrow").set("fields", arrowFields(t));
      table.put("network", manifest.network());
    }
    o.put("confirmations", manifest.confirmations());
    if (manifest.endBlock().isPresent()) {
      o.put("end_block", manifest.endBlock().getAsLong());
    }
    return o;
  }

  /** The Arrow fields of the Parquet schema ampd writes for {@code table}, in column order. */
  static ArrayNode arrowFields(EvmTable table) {
    MessageType schema = ParquetSchemas.of(table);
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (Type field : schema.getFields()) {
      ObjectNode f = out.addObject();
      f.put("name", field.getName());
      f.set("type", arrowType(field));
      f.put("nullable", field.getRepetition() == Type.Repetition.OPTIONAL);
    }
    return out;
  }

  /**
   * The Arrow type of a column, a list or a struct, as arrow-rs's serde writes it: a list's element
   * and a struct's fields as {@code {name, nullable, data_type, dict_id, dict_is_ordered,
   * metadata}}, a list's element named {@code item}.
   */
  private static JsonNode arrowType(Type type) {
    if (type.isPrimitive()) {
      return arrowType(type.asPrimitiveType());
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    GroupType group = type.asGroupType();
    ObjectNode o = f.objectNode();
    if (group.getLogicalTypeAnnotation()
        instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      Type element = group.getType(0).asGroupType().getType(0);
      o.set("List", arrowField("item", element));
      return o;
    }
    ArrayNode fields = o.putArray("Struct");
    for (Type t : group.getFields()) {
      fields.add(arrowField(t.getName(), t));
    }
    return o;
  }

  private static ObjectNode arrowField(String name, Type type) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("name", name);
    o.put("nullable", type.getRepetition() == Type.Repetition.OPTIONAL);
    o.set("data_type", arrowType(type));
    o.put("dict_id", 0);
    o.put("dict_is_ordered", false);
    o.putObject("metadata");
    return o;
  }

  private static boolean unsigned(LogicalTypeAnnotation logical) {
    return logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned();
  }

  /** The Arrow type (as Amp's manifests write it, arrow-rs's serde form) a reader sees. */
  private static JsonNode arrowType(PrimitiveType type) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    switch (type.getPrimitiveTypeName()) {
      case INT64:
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
          String unit =
              switch (ts.getUnit()) {
                case MILLIS -> "Millisecond";
                case MICROS -> "Microsecond";
                case NANOS -> "Nanosecond";
              };
          ObjectNode o = f.objectNode();
          ArrayNode args = o.putArray("Timestamp").add(unit);
          if (ts.isAdjustedToUTC()) {
            args.add("+00:00");
          } else {
            args.addNull();
          }
          return o;
        }
        return f.textNode(unsigned(logical) ? "UInt64" : "Int64");
      case INT32:
        return f.textNode(unsigned(logical) ? "UInt32" : "Int32");
      case BOOLEAN:
        return f.textNode("Boolean");
      case FIXED_LEN_BYTE_ARRAY:
        if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          ObjectNode o = f.objectNode();
          o.putArray("Decimal128").add(d.getPrecision()).add(d.getScale());
          return o;
        }
        ObjectNode o = f.objectNode();
        o.put("FixedSizeBinary", type.getTypeLength());
        return o;
      case BINARY:
        return f.textNode(
            logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                ? "Utf8"
                : "Binary");
      default:
        throw new IllegalStateException("no Arrow type for " + type);
    }
  }
}
