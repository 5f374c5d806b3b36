package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldOrderTest {
  private static final String OBJECTS =
      "[{\"a\":1,\"b\":2,\"c\":3,\"d\":4},"
          + "{\"a\":1,\"b\":2,\"c\":3,\"d\":4},"
          + "{\"a\":1,\"c\":3,\"d\":4},"
          + "{\"a\":1,\"x\":{\"a\":1},\"b\":2,\"c\":3,\"d\":4},"
          + "{\"d\":4,\"c\":3,\"b\":2,\"a\":1},"
          + "{},"
          + "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":[1,2]},"
          + "{\"a\":1,\"x\":null,\"d\":4}]";

  @Test
  void namesComeOutAsWrittenWhateverTheGuess() throws Exception {
    assertEquals(names(false), names(true));
    assertEquals(
        "[[a, b, c, d], [a, b, c, d], [a, c, d], [a, x, b, c, d], [d, c, b, a], [],"
            + " [a, b, c, d, e], [a, x, d]]",
        names(true).toString());
  }

  private static List<List<String>> names(boolean guessing) throws Exception {
    FieldOrder order = new FieldOrder();
    List<List<String>> out = new ArrayList<>();
    try (JsonParser p = new JsonFactory().createParser(OBJECTS)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.START_OBJECT) {
        List<String> names = new ArrayList<>();
        order.start();
        String name;
        while ((name = guessing ? order.next(p) : p.nextFieldName()) != null) {
          names.add(name);
          p.nextToken();
          p.skipChildren();
        }
        out.add(names);
      }
    }
    return out;
  }
}
