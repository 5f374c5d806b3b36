package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte-level JSON cursor: walking, reading, skipping, and every syntax error it reports. */
class JsonScannerTest {
  private static JsonScanner scanner(String json) {
    return new JsonScanner(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String syntaxError(String json) {
    JsonScanner s = scanner(json);
    return assertThrows(
            JsonScanner.SyntaxError.class,
            () -> {
              s.skipValue();
              s.finish();
            })
        .getMessage();
  }

  @Test
  void walksObjectsAndArraysAndReadsTheirValues() {
    JsonScanner s =
        scanner(" {\"a\" : \"x\", \"b\":[true , false,null ],\n\"c\":{}, \"d\":[], \"e\":12}\t");
    List<String> seen = new ArrayList<>();
    s.startObject();
    while (s.nextField()) {
      String name = s.textString();
      seen.add(name);
      switch (name) {
        case "a" -> {
          s.string();
          assertEquals("x", s.textString());
        }
        case "b" -> {
          s.startArray();
          assertTrue(s.nextElement());
          assertTrue(s.booleanValue());
          assertTrue(s.nextElement());
          assertFalse(s.booleanValue());
          assertTrue(s.nextElement());
          assertTrue(s.nullValue());
          assertFalse(s.nextElement());
        }
        case "c" -> {
          s.startObject();
          assertFalse(s.nextField());
        }
        case "d" -> {
          s.startArray();
          assertFalse(s.nextElement());
        }
        default -> assertEquals(12, s.smallInt());
      }
    }
    s.finish();
    assertEquals(List.of("a", "b", "c", "d", "e"), seen);
  }

  @Test
  void stringsWithEscapesAreDecodedToUtf8() {
    JsonScanner s =
        scanner("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20ac\\ud83d\\ude00 \u00fc\"");
    s.string();
    assertEquals("q\" b\\ s/ \b\f\n\r\t A\u00e9\u20ac\ud83d\ude00 \u00fc", s.textString());
    s.finish();
    // escape-free: the text is the document itself
    byte[] doc = "\"0xab\"".getBytes(StandardCharsets.US_ASCII);
    JsonScanner plain = new JsonScanner(doc);
    plain.string();
    assertSame(doc, plain.text());
    assertEquals(1, plain.textStart());
    assertEquals(4, plain.textLength());
  }

  @Test
  void hexFixedDecodesInPlaceOrDeclinesWithoutMoving() {
    String hash = "00ff10" + "ab".repeat(29);
    JsonScanner s = scanner(" \"0x" + hash + "\"");
    byte[] v = s.hexFixed(32);
    assertEquals(32, v.length);
    assertEquals(0x00, v[0]);
    assertEquals((byte) 0xff, v[1]);
    assertEquals(0x10, v[2]);
    assertEquals((byte) 0xab, v[31]);
    s.finish();
    assertArrayEquals(new byte[] {(byte) 0xAB}, scanner("\"0XAB\"").hexFixed(1));
    for (String declined :
        new String[] {
          "\"0x" + "ab".repeat(31) + "\"", // too short
          "\"0x" + "ab".repeat(33) + "\"", // too long
          "\"0x" + "zz" + "ab".repeat(31) + "\"", // bad digits
          "\"\\u0030x" + "ab".repeat(32) + "\"", // an escape
          "\"1x" + "ab".repeat(32) + "\"",
          "12",
          "\"0x" + "ab".repeat(32), // truncated
        }) {
      JsonScanner d = scanner(declined);
      assertNull(d.hexFixed(32), declined);
      assertEquals(0, d.position(), declined);
    }
  }

  @Test
  void hexDataDecodesInOnePassOrDeclinesWithoutMoving() {
    assertArrayEquals(new byte[0], scanner("\"0x\"").hexData());
    JsonScanner s = scanner(" \"0x00Ff10\" ");
    assertArrayEquals(new byte[] {0x00, (byte) 0xff, 0x10}, s.hexData());
    s.finish();
    // Longer than the scanner's first scratch buffer (256 bytes), and every length around it.
    for (int n = 250; n <= 520; n++) {
      byte[] v = scanner("\"0X" + "a5".repeat(n) + "\"").hexData();
      assertEquals(n, v.length);
      assertEquals((byte) 0xa5, v[n - 1]);
    }
    for (String declined :
        new String[] {
          "\"0xabc\"", // odd digits
          "\"0xab\\u0030\"", // an escape
          "\"0xag\"", // a bad digit
          "\"ab\"",
          "\"0x",
          "\"0xab", // truncated
          "\"0xa",
          "null",
        }) {
      JsonScanner d = scanner(declined);
      assertNull(d.hexData(), declined);
      assertEquals(0, d.position(), declined);
    }
  }

  @Test
  void hexDecimal38TakesAmountsBelow10To38AndDeclinesTheRest() {
    assertArrayEquals(new byte[16], scanner("\"0x0\"").hexDecimal38());
    byte[] one = new byte[16];
    one[15] = 1;
    assertArrayEquals(one, scanner("\"0x01\"").hexDecimal38());
    // 10^38 - 1, the largest value: 0x4b3b4ca85a86c47a098a223fffffffff
    byte[] max = scanner("\"0x4b3b4ca85a86c47a098a223fffffffff\"").hexDecimal38();
    assertArrayEquals(Hex.decimal38(bytes("0x4b3b4ca85a86c47a098a223fffffffff"), 0, 34), max);
    assertEquals(0x4b, max[0]);
    assertEquals((byte) 0xff, max[15]);
    for (String declined :
        new String[] {
          "\"0x4b3b4ca85a86c47a098a224000000000\"", // 10^38
          "\"0x" + "f".repeat(32) + "\"",
          "\"0x" + "0".repeat(33) + "1\"", // leading zeros past 32 digits: the slow path takes it
          "\"0x\"",
          "\"0x1g\"",
          "\"0x1",
          "\"1\"",
          "1",
        }) {
      JsonScanner d = scanner(declined);
      assertNull(d.hexDecimal38(), declined);
      assertEquals(0, d.position(), declined);
    }
  }

  private static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void skippedStringsEndAtTheirClosingQuoteWhateverTheirLength() {
    for (int n = 0; n < 12; n++) {
      for (int escaped = -1; escaped < n; escaped++) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
          text.append(i == escaped ? "\\\"" : "x");
        }
        String json = "[\"" + text + "\",\"after\"]";
        JsonScanner s = scanner(json);
        s.startArray();
        assertTrue(s.nextElement());
        s.skipValue();
        assertTrue(s.nextElement(), json);
        s.string();
        assertEquals("after", s.textString(), json);
        assertFalse(s.nextElement());
        s.finish();
      }
    }
  }

  @Test
  void hexQuantityTakesUpTo15DigitsAndDeclinesTheRest() {
    assertEquals(26, scanner("\"0x1a\"").hexQuantity());
    assertEquals(0, scanner("\"0x0\"").hexQuantity());
    assertEquals(0xfffffffffffffffL, scanner("\"0x" + "f".repeat(15) + "\"").hexQuantity());
    for (String declined :
        new String[] {
          "\"0x" + "1".repeat(16) + "\"", "\"0x\"", "\"0x1g\"", "\"1a\"", "26", "\"0x1"
        }) {
      JsonScanner d = scanner(declined);
      assertEquals(-1, d.hexQuantity(), declined);
      assertEquals(0, d.position(), declined);
    }
  }

  @Test
  void smallIntAcceptsOnlyPlainNonNegativeIntegers() {
    assertEquals(0, scanner("0").smallInt());
    assertEquals(123456789, scanner("123456789").smallInt());
    assertEquals(-1, scanner("1234567890").smallInt());
    assertEquals(-1, scanner("-1").smallInt());
    assertEquals(-1, scanner("1.5").smallInt());
    assertEquals(-1, scanner("1e3").smallInt());
  }

  @Test
  void skipsNestedUnknownValuesWhole() {
    JsonScanner s =
        scanner(
            "{\"skip\":{\"a\":[1,-2.5e-3,{\"b\":[[],{}]},\"x\\\"y]}\",true,null],\"c\":{}},"
                + "\"keep\":\"yes\"}");
    s.startObject();
    assertTrue(s.nextField());
    assertEquals("skip", s.textString());
    s.skipValue();
    assertTrue(s.nextField());
    assertEquals("keep", s.textString());
    s.string();
    assertEquals("yes", s.textString());
    assertFalse(s.nextField());
    s.finish();
  }

  @Test
  void aValueCanBeReadAgainFromItsPosition() {
    JsonScanner s = scanner("[{\"r\":[1,2]},7]");
    s.startArray();
    assertTrue(s.nextElement());
    int at = s.peekPosition();
    s.skipValue();
    assertTrue(s.nextElement());
    int after = s.peekPosition();
    s.reset(at);
    assertEquals("{\"r\":[1,2]}", s.describeValue());
    s.reset(after);
    assertEquals(7, s.smallInt());
    assertFalse(s.nextElement());
  }

  @Test
  void namesAreMatchedInPlaceAndLearned() {
    FieldNames names = new FieldNames("a", "bb", "c");
    JsonScanner s = scanner("[{\"a\":1,\"zz\":2,\"bb\":3},{\"a\":1,\"zz\":2,\"bb\":3,\"c\":4}]");
    List<Integer> seen = new ArrayList<>();
    s.startArray();
    while (s.nextElement()) {
      names.start();
      s.startObject();
      while (s.nextName()) {
        seen.add(s.name(names));
        s.skipValue();
      }
    }
    s.finish();
    assertEquals(List.of(0, FieldNames.UNKNOWN, 1, 0, FieldNames.UNKNOWN, 1, 2), seen);
  }

  @Test
  void namesBeyondTheLearningLimitStillMatch() {
    FieldNames names = new FieldNames("k", "m");
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < FieldNames.MAX_NAMES + 10; i++) {
      json.append("\"u").append(i).append("\":").append(i).append(',');
    }
    json.append("\"k\":0,\"v\":1,\"m\":2}");
    for (int round = 0; round < 2; round++) {
      JsonScanner s = scanner(json.toString());
      List<Integer> known = new ArrayList<>();
      names.start();
      s.startObject();
      while (s.nextName()) {
        int id = s.name(names);
        if (id != FieldNames.UNKNOWN) {
          known.add(id);
        }
        s.skipValue();
      }
      assertEquals(List.of(0, 1), known);
    }
  }

  @Test
  void everyTruncationIsASyntaxError() {
    String doc =
        "[{\"id\":1,\"result\":{\"hash\":\"0xab\",\"list\":[1,2.5,true,false,null,\"\\u0041\"]}}]";
    scanner(doc).skipValue();
    for (int n = 0; n < doc.length(); n++) {
      String prefix = doc.substring(0, n);
      String message = syntaxError(prefix);
      assertTrue(message.endsWith("at byte offset " + n), prefix + " -> " + message);
      assertTrue(message.startsWith("unexpected end of input"), prefix + " -> " + message);
    }
  }

  @Test
  void malformedJsonIsASyntaxErrorWithItsOffset() {
    assertEquals("expected ',' or '}' at byte offset 7", syntaxError("{\"a\":1 \"b\":2}"));
    assertEquals("expected a field name at byte offset 7", syntaxError("{\"a\":1,}"));
    assertEquals("expected a field name at byte offset 1", syntaxError("{,\"a\":1}"));
    assertEquals("expected ':' at byte offset 5", syntaxError("{\"a\" 1}"));
    assertEquals("expected a value at byte offset 3", syntaxError("[1,]"));
    assertEquals("expected ',' or ']' at byte offset 3", syntaxError("[1 2]"));
    assertEquals("expected ',' or ']' at byte offset 2", syntaxError("[0123]"));
    assertEquals("invalid number at byte offset 3", syntaxError("[1.]"));
    assertEquals("invalid number at byte offset 2", syntaxError("[-]"));
    assertEquals("invalid number at byte offset 3", syntaxError("[1e]"));
    assertEquals("invalid literal at byte offset 1", syntaxError("[nul]"));
    assertEquals("invalid literal at byte offset 1", syntaxError("[trUe]"));
    assertEquals("expected a value at byte offset 1", syntaxError("['a']"));
    assertEquals("invalid escape at byte offset 4", syntaxError("{\"a\\x\":1}"));
    assertEquals("invalid \\u escape at byte offset 7", syntaxError("{\"a\\u12G4\":1}"));
    assertEquals("text after the JSON value at byte offset 6", syntaxError("[1,2] x"));
    assertEquals("expected a value at byte offset 0", syntaxError("}"));
    // readers that need a type say so
    assertEquals(
        "expected '{' at byte offset 0",
        assertThrows(JsonScanner.SyntaxError.class, () -> scanner("[]").startObject())
            .getMessage());
    assertEquals(
        "expected a string at byte offset 0",
        assertThrows(JsonScanner.SyntaxError.class, () -> scanner("12").string()).getMessage());
    assertEquals(
        "control character in a string at byte offset 2",
        assertThrows(JsonScanner.SyntaxError.class, () -> scanner("\"a\nb\"").string())
            .getMessage());
    assertEquals(
        "expected true or false at byte offset 0",
        assertThrows(JsonScanner.SyntaxError.class, () -> scanner("\"true\"").booleanValue())
            .getMessage());
  }
}
