package io.ampd.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.core.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads and writes {@code evm-rpc} manifests as JSON; errors name the field, value and rule.
 *
 * <pre>
 * {"kind": "evm-rpc",          required
 *  "network": "mainnet",       required; a letter, then letters, digits, _ - .
 *  "start_block": 0,           required; first block, 0 or more
 *  "end_block": 1000,          optional; last block, inclusive, start_block or more;
 *                              absent or null: follow the chain head until stopped
 *  "confirmations": 0,         optional, 0 to 10000 (default 0): stay this far behind the head
 *  "tables": ["blocks", "transactions", "logs"]}   optional, default all three; no repeats
 * </pre>
 *
 * <p><b>Canonical form and content address.</b> {@link #toJson} spells every field out (defaults
 * included, {@code end_block} only when set), keys sorted, tables in the order blocks,
 * transactions, logs. {@link #canonicalText} is that JSON without whitespace and {@link #hash} the
 * lowercase hex SHA-256 of its UTF-8 bytes. So two manifests that mean the same (one giving the
 * defaults, one leaving them out; tables listed in another order) have the same hash, and the hash
 * changes exactly when the meaning does.
 */
public final class ManifestParser {
  public static final long MAX_CONFIRMATIONS = 10_000;

  private static final String DOC = "manifest";
  private static final String HINT =
      "see .amp.example/manifests/README.md for every manifest field and its rule";
  private static final List<String> FIELDS =
      List.of("kind", "network", "start_block", "end_block", "confirmations", "tables");

  private ManifestParser() {}

  /** Validates a manifest document ({@code kind}, {@code network}, {@code start_block}, …). */
  public static EvmRpcManifest parse(JsonNode manifest) {
    return parse(manifest, DOC, "");
  }

  /**
   * Validates a manifest nested in another document: errors read {@code <document> field
   * '<path>.<field>' …}.
   */
  static EvmRpcManifest parse(JsonNode manifest, String document, String path) {
    DocumentReader r = DocumentReader.of(document, path, manifest, FIELDS, HINT);
    String kind = r.requiredString("kind");
    if (DatasetKind.byName(kind) != DatasetKind.EVM_RPC) {
      throw r.invalid(
          "kind", "is " + DocumentReader.quote(kind) + ", expected " + DatasetKind.expected());
    }
    String network = r.requiredMatching("network", Names.IDENTIFIER, Names.IDENTIFIER_RULE);
    long start = r.requiredInteger("start_block", 0, Long.MAX_VALUE);
    OptionalLong end = r.optionalInteger("end_block", 0, Long.MAX_VALUE);
    if (end.isPresent() && end.getAsLong() < start) {
      throw r.invalid(
          "end_block", "is " + end.getAsLong() + ", expected start_block (" + start + ") or more");
    }
    int confirmations = (int) r.integer("confirmations", 0, 0, MAX_CONFIRMATIONS);
    return new EvmRpcManifest(network, start, end, confirmations, tables(r));
  }

  private static List<EvmTable> tables(DocumentReader r) {
    List<String> names = r.optionalStrings("tables");
    if (names == null) {
      return List.of(EvmTable.values());
    }
    if (names.isEmpty()) {
      throw r.invalid("tables", "is empty, expected at least one of " + tableNames());
    }
    Set<EvmTable> tables = EnumSet.noneOf(EvmTable.class);
    for (String name : names) {
      EvmTable table = byName(name);
      if (table == null) {
        throw r.invalid(
            "tables", "holds " + DocumentReader.quote(name) + ", expected one of " + tableNames());
      }
      if (!tables.add(table)) {
        throw r.invalid("tables", "holds " + DocumentReader.quote(name) + " twice");
      }
    }
    return List.copyOf(tables); // EnumSet iterates in declaration order: the canonical order
  }

  private static EvmTable byName(String name) {
    for (EvmTable t : EvmTable.values()) {
      if (t.tableName().equals(name)) {
        return t;
      }
    }
    return null;
  }

  private static String tableNames() {
    List<String> names = new ArrayList<>();
    for (EvmTable t : EvmTable.values()) {
      names.add(t.tableName());
    }
    return String.join(", ", names);
  }

  /** The canonical JSON of a manifest (what is hashed and stored in {@code manifests}). */
  public static JsonNode toJson(EvmRpcManifest manifest) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    // keys in sorted order: ObjectNode keeps insertion order
    o.put("confirmations", manifest.confirmations());
    if (manifest.endBlock().isPresent()) {
      o.put("end_block", manifest.endBlock().getAsLong());
    }
    o.put("kind", DatasetKind.EVM_RPC.kindName());
    o.put("network", manifest.network());
    o.put("start_block", manifest.startBlock());
    ArrayNode tables = o.putArray("tables");
    Set<EvmTable> sorted = EnumSet.noneOf(EvmTable.class);
    sorted.addAll(manifest.tables());
    for (EvmTable t : sorted) {
      tables.add(t.tableName());
    }
    return o;
  }

  /** {@link #toJson} without whitespace: the bytes the content address is computed over. */
  public static String canonicalText(EvmRpcManifest manifest) {
    try {
      return Json.MAPPER.writeValueAsString(toJson(manifest));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  /** The content address: lowercase hex SHA-256 of {@link #canonicalText}. */
  public static String hash(EvmRpcManifest manifest) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest(canonicalText(manifest).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
