package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads and writes providers as JSON (the API, the {@code providers} table; TOML files are read
 * into the same tree); errors name the field, value and rule, and never show a credential.
 *
 * <p>STUB: signatures agreed; implementation pending (registry helper).
 */
public final class ProviderParser {
  private ProviderParser() {}

  public static ProviderConfig parse(JsonNode provider) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** JSON of a provider; with {@code redact} the URL's credentials are masked. */
  public static JsonNode toJson(ProviderConfig provider, boolean redact) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
