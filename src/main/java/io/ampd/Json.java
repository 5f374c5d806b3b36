package io.ampd;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one Jackson {@link ObjectMapper} of ampd, with Jackson's defaults. A mapper is thread-safe
 * once set up, and what it learns about each type (its serializers and deserializers) is cached in
 * it: one shared mapper learns each type once, on the start path too.
 */
public final class Json {
  /** Shared; never reconfigure it (derive an {@code ObjectReader}/{@code ObjectWriter} instead). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
