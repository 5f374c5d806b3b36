package io.ampd.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JacksonException;
import org.junit.jupiter.api.Test;

class JsonTest {
  private static JacksonException parseError(String text) {
    return assertThrows(JacksonException.class, () -> Json.MAPPER.readTree(text));
  }

  @Test
  void reasonDropsJacksonsSourceNote() {
    JacksonException e = parseError("{\"a\": 1");
    // Jackson's own message carries "(start marker at [Source: ...; line: 1, column: 1])".
    assertEquals(
        "unexpected end-of-input: expected close marker for Object",
        Json.reason(e, "invalid JSON"));
  }

  @Test
  void reasonIsTheFirstLineLowercased() {
    JacksonException e = parseError("{\"a\": }");
    String reason = Json.reason(e, "invalid JSON");
    assertEquals(
        "unexpected character ('}' (code 125)): expected a valid value (JSON String, Number,"
            + " Array, Object or token 'null', 'true' or 'false')",
        reason);
  }
}
