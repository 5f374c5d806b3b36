package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.registry.DatasetKind;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.NoStop;
import io.ampd.testing.SyntheticChain;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The streaming decoder on answers a node may legally send differently from the test node: a result
 * before its id, strings with escapes; and its messages for bad values.
 */
class RpcDecoderTest {
  private static final long FIRST = 200;
  private static final long LAST = 203;
  private static FakeEvmNode node;
  private static RpcClient rpc;
  private static String body;

  @BeforeAll
  static void fetchOneBatch() throws Exception {
    node = FakeEvmNode.start(new SyntheticChain(3), 1_000, 1);
    rpc =
        new RpcClient(
            new ProviderConfig(
                "p",
                DatasetKind.EVM_RPC.kindName(),
                node.url(),
                "n",
                1,
                4,
                Duration.ofSeconds(5),
                new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1))),
            NoStop.NEVER);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(node.url()))
            .POST(HttpRequest.BodyPublishers.ofByteArray(rpc.encode(calls())))
            .build();
    body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private static List<RpcCall> calls() {
    return BlockFetcher.calls(FIRST, LAST, true, true);
  }

  private static List<BlockData> decode(String json) throws Exception {
    return rpc.decode(
        json.getBytes(StandardCharsets.UTF_8),
        calls(),
        new BlockFetcher.BatchDecoder(FIRST, (int) (LAST - FIRST + 1), true, true, n -> true));
  }

  private static String malformed(String json) {
    return assertThrows(MalformedResponseException.class, () -> decode(json)).getMessage();
  }

  @Test
  void resultsBeforeTheirIdAndEscapedStringsDecodeTheSame() throws Exception {
    String expected = render(decode(body));
    assertTrue(expected.contains("EvmLog"), expected);
    // every answer as {"jsonrpc", "result", "id"}: results buffered until their id
    Matcher m = Pattern.compile("\\{\"jsonrpc\":\"2.0\",\"id\":(\\d+),").matcher(body);
    StringBuilder moved = new StringBuilder();
    List<String> ids = new ArrayList<>();
    while (m.find()) {
      ids.add(m.group(1));
      m.appendReplacement(moved, "{\"jsonrpc\":\"2.0\",");
    }
    m.appendTail(moved);
    String idLast = moved.toString().replace("},{\"jsonrpc\"", "}|{\"jsonrpc\"");
    String[] answers = idLast.substring(1, idLast.length() - 1).split("\\|");
    assertEquals(ids.size(), answers.length);
    StringBuilder rebuilt = new StringBuilder("[");
    for (int i = answers.length - 1; i >= 0; i--) {
      String a = answers[i];
      rebuilt.append(a, 0, a.length() - 1).append(",\"id\":").append(ids.get(i)).append('}');
      rebuilt.append(i > 0 ? "," : "]");
    }
    assertEquals(expected, render(decode(rebuilt.toString())));
    // "0" written as \u0030 in every hex string
    String escaped = body.replace("\":\"0x", "\":\"\\u0030x");
    assertTrue(escaped.length() > body.length());
    assertEquals(expected, render(decode(escaped)));
  }

  @Test
  void badValuesAreNamedWithTheirBlockAndField() {
    String block = "{\"number\":\"" + Hex.quantity(FIRST) + "\"";
    assertTrue(body.contains(block));
    assertEquals(
        "block 200: field 'hash' has 31 bytes, expected 32",
        malformed(body.replaceFirst("(\"number\":\"0xc8\",\"hash\":\"0x)..", "$1")));
    assertEquals(
        "block 200: field 'gasLimit' is not a string: 12",
        malformed(body.replaceFirst("\"gasLimit\":\"0x[0-9a-f]+\"", "\"gasLimit\":12")));
    String big = "0x" + "f".repeat(40);
    assertEquals(
        "block 200: field 'difficulty' is "
            + new java.math.BigInteger("f".repeat(40), 16)
            + ", which does not fit decimal(38,0)",
        malformed(
            body.replaceFirst("\"difficulty\":\"0x[0-9a-f]+\"", "\"difficulty\":\"" + big + "\"")));
    // a log's address comes before its blockNumber: the error waits for the block
    Matcher log =
        Pattern.compile("\\{\"address\":\"0x[0-9a-f]{40}\",\"topics\"").matcher(body);
    assertTrue(log.find());
    String broken =
        body.substring(0, log.start())
            + "{\"address\":\"0xzz\",\"topics\""
            + body.substring(log.end());
    String message = malformed(broken);
    assertTrue(
        message.matches("block 20[0-3] log 0: field 'address' is not hex data: \"0xzz\""), message);
  }

  @Test
  void malformedValuesEndFatallyNamingBlockAndField() {
    assertEquals(
        "block 200: field 'gasUsed' is not a hex quantity below 2^63: \"0x" + "f".repeat(17) + "\"",
        malformed(
            body.replaceFirst(
                "\"gasUsed\":\"0x[0-9a-f]+\"", "\"gasUsed\":\"0x" + "f".repeat(17) + "\"")));
    assertEquals(
        "block 200: field 'size' is not a hex quantity below 2^63: \"0x8000000000000000\"",
        malformed(
            body.replaceFirst("\"size\":\"0x[0-9a-f]+\"", "\"size\":\"0x8000000000000000\"")));
    assertEquals(
        "block 200: field 'extraData' is not hex data: \"0x123\"",
        malformed(body.replaceFirst("\"extraData\":\"0x[0-9a-f]*\"", "\"extraData\":\"0x123\"")));
    assertEquals(
        "block 200: field 'parentHash' is not hex data: \"0x" + "zz".repeat(32) + "\"",
        malformed(
            body.replaceFirst(
                "\"parentHash\":\"0x[0-9a-f]+\"", "\"parentHash\":\"0x" + "zz".repeat(32) + "\"")));
    // an escape that decodes to a character that is not hex
    assertEquals(
        "block 200: field 'stateRoot' is not hex data: \"0xg" + "0".repeat(63) + "\"",
        malformed(
            body.replaceFirst(
                "\"stateRoot\":\"0x[0-9a-f]+\"",
                "\"stateRoot\":\"0x\\\\u0067" + "0".repeat(63) + "\"")));
    String message = malformed(body.replaceFirst("\"value\":\"0x[0-9a-f]+\"", "\"value\":5"));
    assertTrue(
        message.matches("block 20[0-3] transaction \\d: field 'value' is not a string: 5"),
        message);
    assertEquals(
        "block 201 is not an object: [1,{\"a\":2}]",
        malformed(
            body.replaceFirst(
                "(\"id\":1,\"result\":)\\{\"number\":\"0xc9\"",
                "$1[1,{\"a\":2}],\"x\":{\"number\":\"0xc9\"")));
  }

  @Test
  void receiptsAndSignaturesAreCheckedToo() {
    assertTrue(body.contains("\"removed\":false"), "the batch has logs");
    String removed = malformed(body.replaceFirst("\"removed\":false", "\"removed\":true"));
    assertTrue(
        removed.matches(
            "block 20[0-3] log \\d+: field 'removed' is true: the node returned a log of a block"
                + " that was reorganised away"),
        removed);
    String status =
        malformed(body.replaceFirst("\"status\":\"0x[01]\"", "\"status\":\"0x2\""));
    assertTrue(
        status.matches("block 20[0-3] receipt \\d+: field 'status' is 2, expected 0 or 1"), status);
    String noStatus = malformed(body.replaceFirst(",\"status\":\"0x[01]\"", ""));
    assertTrue(
        noStatus.matches("block 20[0-3] receipt \\d+: field 'status' is missing"), noStatus);
    // r of a signed transaction: 32 bytes at most, and present
    String longR =
        malformed(
            body.replaceFirst("\"r\":\"0x[0-9a-f]+\"", "\"r\":\"0x1" + "0".repeat(64) + "\""));
    assertTrue(
        longR.matches(
            "block 20[0-3] transaction \\d+: field 'r' is not a hex value of at most 32 bytes:"
                + " \"0x10+\""),
        longR);
    String noR = malformed(body.replaceFirst(",\"r\":\"0x[0-9a-f]+\"", ""));
    assertTrue(noR.matches("block 20[0-3] transaction \\d+: field 'r' is missing"), noR);
  }

  @Test
  void unknownNestedValuesAreSkipped() throws Exception {
    String expected = render(decode(body));
    String extra = "\"extra\":{\"a\":[1,-2.5e3,{\"b\":\"}\\\"]\"}],\"c\":[[]]},";
    String padded = body.replace("{\"number\":", "{" + extra + "\"number\":");
    assertTrue(padded.length() > body.length());
    assertEquals(expected, render(decode(padded)));
  }

  @Test
  void aBodyThatIsNotJsonIsTransient() {
    String truncated = body.substring(0, body.length() / 2);
    String message =
        assertThrows(TransientRpcException.class, () -> decode(truncated)).getMessage();
    assertEquals(
        "provider p answered with a body that is not JSON: unexpected end of input at byte offset "
            + truncated.length(),
        message);
    message =
        assertThrows(TransientRpcException.class, () -> decode(body.replaceFirst(",", ",,")))
            .getMessage();
    assertTrue(message.startsWith("provider p answered with a body that is not JSON: "), message);
  }

  private static String render(List<BlockData> blocks) {
    StringBuilder out = new StringBuilder();
    for (BlockData d : blocks) {
      render(d.block(), out);
      for (EvmTransaction t : d.block().transactions()) {
        render(t, out);
      }
      for (EvmLog l : d.logs()) {
        render(l, out);
      }
    }
    return out.toString();
  }

  private static void render(Record r, StringBuilder out) {
    out.append(r.getClass().getSimpleName()).append('[');
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      try {
        Object v = c.getAccessor().invoke(r);
        if (v instanceof byte[] b) {
          v = Hex.encode(b);
        } else if (v instanceof byte[][] bb) {
          List<String> hex = new ArrayList<>();
          for (byte[] b : bb) {
            hex.add(Hex.encode(b));
          }
          v = hex;
        } else if (v instanceof List<?>) {
          continue;
        }
        out.append(c.getName()).append('=').append(v).append(' ');
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    out.append("]\n");
  }
}
