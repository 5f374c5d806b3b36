package io.ampd.extract;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns JSON-RPC results into the data model, checking every field it reads: a missing field, a
 * wrong JSON type, bad hex, a hash of the wrong length, a number too large for its column or a
 * block that is not the one asked for throws {@link MalformedResponseException} naming the block
 * and the field.
 */
final class RpcDecoder {
  /** decimal(38,0) holds values below 10^38. */
  static final BigInteger DECIMAL38_LIMIT = BigInteger.TEN.pow(38);

  private RpcDecoder() {}

  static EvmBlock block(long expected, JsonNode node, boolean fullTransactions) {
    Fields f = new Fields(node, "block " + expected);
    long number = f.quantity("number");
    if (number != expected) {
      throw f.malformed("number", "is " + number + ", expected " + expected);
    }
    long timestamp = f.quantity("timestamp");
    if (timestamp > Long.MAX_VALUE / 1000) {
      throw f.malformed("timestamp", "is out of range: " + timestamp);
    }
    JsonNode txs = f.array("transactions");
    List<EvmTransaction> transactions = new ArrayList<>(fullTransactions ? txs.size() : 0);
    if (fullTransactions) {
      for (int i = 0; i < txs.size(); i++) {
        transactions.add(transaction(expected, i, txs.get(i)));
      }
    }
    return new EvmBlock(
        number,
        f.fixed("hash", 32),
        f.fixed("parentHash", 32),
        timestamp,
        f.fixed("miner", 20),
        f.fixed("stateRoot", 32),
        f.fixed("transactionsRoot", 32),
        f.fixed("receiptsRoot", 32),
        f.quantity("gasUsed"),
        f.quantity("gasLimit"),
        f.optionalDecimal("baseFeePerGas"),
        f.decimal("difficulty"),
        f.quantity("size"),
        f.data("extraData"),
        txs.size(),
        transactions);
  }

  private static EvmTransaction transaction(long block, int index, JsonNode node) {
    Fields f = new Fields(node, "block " + block + " transaction " + index);
    if (!node.isObject()) {
      throw f.malformed(null, "is not an object (was the block fetched without transactions?)");
    }
    long txIndex = f.quantity("transactionIndex");
    if (txIndex != index) {
      throw f.malformed("transactionIndex", "is " + txIndex + ", expected " + index);
    }
    long blockNumber = f.quantity("blockNumber");
    if (blockNumber != block) {
      throw f.malformed("blockNumber", "is " + blockNumber + ", expected " + block);
    }
    long type = f.optionalQuantity("type", 0);
    if (type > Integer.MAX_VALUE) {
      throw f.malformed("type", "is out of range: " + type);
    }
    return new EvmTransaction(
        index,
        f.fixed("hash", 32),
        f.fixed("from", 20),
        f.optionalFixed("to", 20),
        f.quantity("nonce"),
        f.decimal("value"),
        f.quantity("gas"),
        f.optionalDecimal("gasPrice"),
        f.optionalDecimal("maxFeePerGas"),
        f.optionalDecimal("maxPriorityFeePerGas"),
        f.data("input"),
        (int) type);
  }

  /** A log of {@code eth_getLogs} over blocks {@code first..last}. */
  static EvmLog log(long first, long last, int position, JsonNode node) {
    Fields f = new Fields(node, "logs of blocks " + first + "-" + last + " entry " + position);
    long blockNumber = f.quantity("blockNumber");
    if (blockNumber < first || blockNumber > last) {
      throw f.malformed("blockNumber", "is " + blockNumber + ", outside the requested range");
    }
    f = new Fields(node, "block " + blockNumber + " log " + position);
    JsonNode topicsNode = f.array("topics");
    if (topicsNode.size() > 4) {
      throw f.malformed("topics", "has " + topicsNode.size() + " entries, at most 4 allowed");
    }
    byte[][] topics = new byte[topicsNode.size()][];
    for (int i = 0; i < topics.length; i++) {
      topics[i] = f.fixedValue("topics[" + i + "]", topicsNode.get(i), 32);
    }
    if (node.path("removed").asBoolean(false)) {
      throw f.malformed("removed", "is true: the node returned a log of a block that was reorganised away");
    }
    return new EvmLog(
        blockNumber,
        f.fixed("blockHash", 32),
        f.intQuantity("transactionIndex"),
        f.fixed("transactionHash", 32),
        f.intQuantity("logIndex"),
        f.fixed("address", 20),
        topics,
        f.data("data"));
  }

  /** Field access on one JSON object; errors name {@code where} and the field. */
  private static final class Fields {
    private final JsonNode node;
    private final String where;

    Fields(JsonNode node, String where) {
      this.node = node;
      this.where = where;
    }

    MalformedResponseException malformed(String field, String problem) {
      return new MalformedResponseException(
          where + (field == null ? "" : ": field '" + field + "'") + " " + problem);
    }

    private String text(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        throw malformed(field, "is missing");
      }
      if (!v.isTextual()) {
        throw malformed(field, "is not a string: " + abbreviate(v.toString()));
      }
      return v.textValue();
    }

    long quantity(String field) {
      String s = text(field);
      Long v = Hex.quantity(s);
      if (v == null) {
        throw malformed(field, "is not a hex quantity below 2^63: \"" + abbreviate(s) + "\"");
      }
      return v;
    }

    int intQuantity(String field) {
      long v = quantity(field);
      if (v > Integer.MAX_VALUE) {
        throw malformed(field, "is out of range: " + v);
      }
      return (int) v;
    }

    long optionalQuantity(String field, long absent) {
      JsonNode v = node.get(field);
      return v == null || v.isNull() ? absent : quantity(field);
    }

    BigInteger decimal(String field) {
      String s = text(field);
      BigInteger v = Hex.bigQuantity(s);
      if (v == null) {
        throw malformed(field, "is not a hex quantity: \"" + abbreviate(s) + "\"");
      }
      if (v.compareTo(DECIMAL38_LIMIT) >= 0) {
        throw malformed(field, "is " + v + ", which does not fit decimal(38,0)");
      }
      return v;
    }

    BigInteger optionalDecimal(String field) {
      JsonNode v = node.get(field);
      return v == null || v.isNull() ? null : decimal(field);
    }

    byte[] data(String field) {
      String s = text(field);
      byte[] v = Hex.data(s);
      if (v == null) {
        throw malformed(field, "is not hex data: \"" + abbreviate(s) + "\"");
      }
      return v;
    }

    byte[] fixed(String field, int length) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        throw malformed(field, "is missing");
      }
      return fixedValue(field, v, length);
    }

    byte[] optionalFixed(String field, int length) {
      JsonNode v = node.get(field);
      return v == null || v.isNull() ? null : fixedValue(field, v, length);
    }

    byte[] fixedValue(String field, JsonNode v, int length) {
      if (!v.isTextual()) {
        throw malformed(field, "is not a string: " + abbreviate(v.toString()));
      }
      byte[] bytes = Hex.data(v.textValue());
      if (bytes == null) {
        throw malformed(field, "is not hex data: \"" + abbreviate(v.textValue()) + "\"");
      }
      if (bytes.length != length) {
        throw malformed(field, "has " + bytes.length + " bytes, expected " + length);
      }
      return bytes;
    }

    JsonNode array(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        throw malformed(field, "is missing");
      }
      if (!v.isArray()) {
        throw malformed(field, "is not an array");
      }
      return v;
    }

    private static String abbreviate(String s) {
      return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
  }
}
