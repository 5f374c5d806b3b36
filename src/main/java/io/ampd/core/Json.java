package io.ampd.core;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.regex.Pattern;

/**
 * The one Jackson {@link ObjectMapper} of ampd, with Jackson's defaults. A mapper is thread-safe
 * once set up, and what it learns about each type (its serializers and deserializers) is cached in
 * it: one shared mapper learns each type once, on the start path too.
 */
public final class Json {
  /** Shared; never reconfigure it (derive an {@code ObjectReader}/{@code ObjectWriter} instead). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Jackson's note of where the input came from, which it writes into some messages even with
   * source excerpts off, e.g. {@code (start marker at [Source: REDACTED (...); line: 1, column:
   * 1])}: a user gets the line from us, once.
   */
  private static final class Source {
    // In a holder: the mapper is used on the start path, this only when a parse fails.
    static final Pattern NOTE =
        Pattern.compile("\\s*(?:\\(start marker at )?\\[Source: [^\\]]*\\]\\)?");
  }

  private Json() {}

  /**
   * A parse error of Jackson (JSON or TOML) as one line for a user: its first line, without
   * Jackson's source notes, with a lowercase first letter; {@code fallback} if it has none.
   */
  public static String reason(JacksonException e, String fallback) {
    String reason = e.getOriginalMessage();
    reason = reason == null ? "" : reason.strip().lines().findFirst().orElse("");
    reason = Source.NOTE.matcher(reason).replaceAll("").strip();
    if (reason.isEmpty()) {
      return fallback;
    }
    return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
  }
}
