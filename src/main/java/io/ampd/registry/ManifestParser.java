package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads and writes {@code evm-rpc} manifests as JSON; errors name the field, value and rule.
 *
 * <p>STUB: signatures agreed; implementation pending (registry helper).
 */
public final class ManifestParser {
  private ManifestParser() {}

  /** Validates a manifest document ({@code kind}, {@code network}, {@code start_block}, …). */
  public static EvmRpcManifest parse(JsonNode manifest) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The canonical JSON of a manifest (what is hashed and stored in {@code manifests}). */
  public static JsonNode toJson(EvmRpcManifest manifest) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
