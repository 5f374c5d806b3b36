package io.ampd.extract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns JSON-RPC results into the data model straight from the parser's tokens (no tree, no string
 * per value: hex is decoded from the response bytes in place), checking every field it reads: a
 * missing field, a wrong JSON type, bad hex, a hash of the wrong length, a number too large for its
 * column or a block that is not the one asked for throws {@link MalformedResponseException} naming
 * the block and the field.
 *
 * <p>{@code source} is the byte array the parser reads, or null if it reads something else. Each
 * method starts with the parser on the value's first token and leaves it on the value's last token.
 * Fields may come in any order; unknown fields are skipped. A field that is {@code null} counts as
 * absent.
 */
final class RpcDecoder {
  /** decimal(38,0) holds values below 10^38. */
  static final BigInteger DECIMAL38_LIMIT = BigInteger.TEN.pow(38);

  private RpcDecoder() {}

  static EvmBlock block(
      long expected, JsonParser p, byte[] source, Orders orders, boolean fullTransactions)
      throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new MalformedResponseException(
          "block " + expected + " is not an object: " + Values.describe(p));
    }
    Values v = new Values(p, source);
    long number = -1;
    long timestamp = -1;
    long gasUsed = -1;
    long gasLimit = -1;
    long size = -1;
    byte[] hash = null;
    byte[] parentHash = null;
    byte[] miner = null;
    byte[] stateRoot = null;
    byte[] transactionsRoot = null;
    byte[] receiptsRoot = null;
    byte[] baseFee = null;
    byte[] difficulty = null;
    byte[] extraData = null;
    int txCount = -1;
    List<EvmTransaction> transactions = List.of();
    String field = null;
    try {
      orders.block.start();
      while ((field = orders.block.next(p)) != null) {
        if (p.nextToken() == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (field) {
          case "number" -> {
            number = v.quantity();
            if (number != expected) {
              throw new FieldError("is " + number + ", expected " + expected);
            }
          }
          case "timestamp" -> {
            timestamp = v.quantity();
            if (timestamp > Long.MAX_VALUE / 1000) {
              throw new FieldError("is out of range: " + timestamp);
            }
          }
          case "hash" -> hash = v.fixed(32);
          case "parentHash" -> parentHash = v.fixed(32);
          case "miner" -> miner = v.fixed(20);
          case "stateRoot" -> stateRoot = v.fixed(32);
          case "transactionsRoot" -> transactionsRoot = v.fixed(32);
          case "receiptsRoot" -> receiptsRoot = v.fixed(32);
          case "gasUsed" -> gasUsed = v.quantity();
          case "gasLimit" -> gasLimit = v.quantity();
          case "baseFeePerGas" -> baseFee = v.decimal();
          case "difficulty" -> difficulty = v.decimal();
          case "size" -> size = v.quantity();
          case "extraData" -> extraData = v.data();
          case "transactions" -> {
            if (p.currentToken() != JsonToken.START_ARRAY) {
              throw new FieldError("is not an array");
            }
            if (fullTransactions) {
              transactions = new ArrayList<>();
              while (p.nextToken() != JsonToken.END_ARRAY) {
                transactions.add(transaction(expected, transactions.size(), p, source, orders));
              }
              txCount = transactions.size();
            } else {
              txCount = 0;
              while (p.nextToken() != JsonToken.END_ARRAY) {
                p.skipChildren();
                txCount++;
              }
            }
          }
          default -> p.skipChildren();
        }
      }
      field = "number";
      if (number < 0) {
        throw FieldError.MISSING;
      }
      field = "timestamp";
      if (timestamp < 0) {
        throw FieldError.MISSING;
      }
      field = "transactions";
      if (txCount < 0) {
        throw FieldError.MISSING;
      }
      return new EvmBlock(
          number,
          required("hash", hash),
          required("parentHash", parentHash),
          timestamp,
          required("miner", miner),
          required("stateRoot", stateRoot),
          required("transactionsRoot", transactionsRoot),
          required("receiptsRoot", receiptsRoot),
          required("gasUsed", gasUsed),
          required("gasLimit", gasLimit),
          baseFee,
          required("difficulty", difficulty),
          required("size", size),
          required("extraData", extraData),
          txCount,
          transactions);
    } catch (FieldError e) {
      throw e.in("block " + expected, e.field != null ? e.field : field);
    }
  }

  private static EvmTransaction transaction(
      long block, int index, JsonParser p, byte[] source, Orders orders) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new MalformedResponseException(
          "block "
              + block
              + " transaction "
              + index
              + " is not an object (was the block fetched without transactions?)");
    }
    Values v = new Values(p, source);
    long txIndex = -1;
    long blockNumber = -1;
    long type = 0;
    long nonce = -1;
    long gas = -1;
    byte[] hash = null;
    byte[] from = null;
    byte[] to = null;
    byte[] value = null;
    byte[] gasPrice = null;
    byte[] maxFee = null;
    byte[] maxPriority = null;
    byte[] input = null;
    String field = null;
    try {
      orders.transaction.start();
      while ((field = orders.transaction.next(p)) != null) {
        if (p.nextToken() == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (field) {
          case "transactionIndex" -> {
            txIndex = v.quantity();
            if (txIndex != index) {
              throw new FieldError("is " + txIndex + ", expected " + index);
            }
          }
          case "blockNumber" -> {
            blockNumber = v.quantity();
            if (blockNumber != block) {
              throw new FieldError("is " + blockNumber + ", expected " + block);
            }
          }
          case "type" -> {
            type = v.quantity();
            if (type > Integer.MAX_VALUE) {
              throw new FieldError("is out of range: " + type);
            }
          }
          case "hash" -> hash = v.fixed(32);
          case "from" -> from = v.fixed(20);
          case "to" -> to = v.fixed(20);
          case "nonce" -> nonce = v.quantity();
          case "value" -> value = v.decimal();
          case "gas" -> gas = v.quantity();
          case "gasPrice" -> gasPrice = v.decimal();
          case "maxFeePerGas" -> maxFee = v.decimal();
          case "maxPriorityFeePerGas" -> maxPriority = v.decimal();
          case "input" -> input = v.data();
          default -> p.skipChildren();
        }
      }
      field = null;
      required("transactionIndex", txIndex);
      required("blockNumber", blockNumber);
      return new EvmTransaction(
          index,
          required("hash", hash),
          required("from", from),
          to,
          required("nonce", nonce),
          required("value", value),
          required("gas", gas),
          gasPrice,
          maxFee,
          maxPriority,
          required("input", input),
          (int) type);
    } catch (FieldError e) {
      throw e.in("block " + block + " transaction " + index, e.field != null ? e.field : field);
    }
  }

  /**
   * A log of {@code eth_getLogs} over blocks {@code first..last}. Errors name the log's block; a
   * bad field seen before {@code blockNumber} is reported once {@code blockNumber} is known.
   */
  static EvmLog log(long first, long last, int position, JsonParser p, byte[] source, Orders orders)
      throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new MalformedResponseException(
          "logs of blocks "
              + first
              + "-"
              + last
              + " entry "
              + position
              + " is not an object: "
              + Values.describe(p));
    }
    JsonStreamContext object = p.getParsingContext();
    Values v = new Values(p, source);
    long blockNumber = -1;
    int txIndex = -1;
    int logIndex = -1;
    byte[] blockHash = null;
    byte[] txHash = null;
    byte[] address = null;
    byte[][] topics = null;
    byte[] data = null;
    boolean removed = false;
    FieldError pending = null;
    String field;
    orders.log.start();
    while ((field = orders.log.next(p)) != null) {
      if (p.nextToken() == JsonToken.VALUE_NULL) {
        continue;
      }
      try {
        switch (field) {
          case "blockNumber" -> {
            try {
              blockNumber = v.quantity();
            } catch (FieldError e) {
              throw e.in("logs of blocks " + first + "-" + last + " entry " + position, field);
            }
            if (blockNumber < first || blockNumber > last) {
              throw new FieldError("is " + blockNumber + ", outside the requested range")
                  .in("logs of blocks " + first + "-" + last + " entry " + position, field);
            }
          }
          case "topics" -> topics = topics(v, p);
          case "removed" -> {
            removed = p.getValueAsBoolean(false);
            p.skipChildren();
          }
          case "blockHash" -> blockHash = v.fixed(32);
          case "transactionIndex" -> txIndex = v.intQuantity();
          case "transactionHash" -> txHash = v.fixed(32);
          case "logIndex" -> logIndex = v.intQuantity();
          case "address" -> address = v.fixed(20);
          case "data" -> data = v.data();
          default -> p.skipChildren();
        }
      } catch (FieldError e) {
        if (blockNumber >= 0) {
          throw e.in(
              "block " + blockNumber + " log " + position, e.field != null ? e.field : field);
        }
        if (pending == null) {
          pending = e.field != null ? e : e.named(field);
        }
        while (p.getParsingContext() != object) {
          p.nextToken();
        }
      }
      if (pending != null && blockNumber >= 0) {
        throw pending.in("block " + blockNumber + " log " + position, pending.field);
      }
    }
    if (blockNumber < 0) {
      throw FieldError.MISSING.in(
          "logs of blocks " + first + "-" + last + " entry " + position, "blockNumber");
    }
    String where = "block " + blockNumber + " log " + position;
    if (topics == null) {
      throw FieldError.MISSING.in(where, "topics");
    }
    if (removed) {
      throw new FieldError("is true: the node returned a log of a block that was reorganised away")
          .in(where, "removed");
    }
    try {
      return new EvmLog(
          blockNumber,
          required("blockHash", blockHash),
          required("transactionIndex", txIndex),
          required("transactionHash", txHash),
          required("logIndex", logIndex),
          required("address", address),
          topics,
          required("data", data));
    } catch (FieldError e) {
      throw e.in(where, e.field);
    }
  }

  /** The learned field orders of one decoder (see {@link FieldOrder}). */
  static final class Orders {
    final FieldOrder block = new FieldOrder();
    final FieldOrder transaction = new FieldOrder();
    final FieldOrder log = new FieldOrder();
  }

  private static final byte[][] NO_TOPICS = new byte[0][];

  private static byte[][] topics(Values v, JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new FieldError("is not an array");
    }
    byte[][] topics = new byte[4][];
    int n = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (n < 4) {
        try {
          topics[n] = v.fixed(32);
        } catch (FieldError e) {
          throw e.named("topics[" + n + "]");
        }
      } else {
        p.skipChildren();
      }
      n++;
    }
    if (n > 4) {
      throw new FieldError("has " + n + " entries, at most 4 allowed").named("topics");
    }
    if (n == 0) {
      return NO_TOPICS;
    }
    return n == 4 ? topics : java.util.Arrays.copyOf(topics, n);
  }

  private static <T> T required(String field, T value) {
    if (value == null) {
      throw FieldError.MISSING.named(field);
    }
    return value;
  }

  private static long required(String field, long value) {
    if (value < 0) {
      throw FieldError.MISSING.named(field);
    }
    return value;
  }

  private static int required(String field, int value) {
    if (value < 0) {
      throw FieldError.MISSING.named(field);
    }
    return value;
  }

  /**
   * A field's problem, before the block it is in is named: thrown inside the decoder, turned into a
   * {@link MalformedResponseException} by {@link #in}. No stack trace.
   */
  private static final class FieldError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final FieldError MISSING = new FieldError("is missing");

    final String field;
    final String problem;

    FieldError(String problem) {
      this(null, problem);
    }

    private FieldError(String field, String problem) {
      super(problem, null, false, false);
      this.field = field;
      this.problem = problem;
    }

    FieldError named(String name) {
      return new FieldError(name, problem);
    }

    MalformedResponseException in(String where, String name) {
      return new MalformedResponseException(
          where + (name == null ? "" : ": field '" + name + "'") + " " + problem);
    }
  }

  /**
   * Reads the current token as a value of a column type, or throws {@link FieldError}. When the
   * parser reads {@code source} (the response body), a string's bytes are read in place: the parser
   * has not decoded the string yet and skips it on its next token, so no characters and no String
   * are made. Otherwise, or for a string with escapes, the parser's text is used.
   */
  private static final class Values {
    private final JsonParser p;
    private final byte[] source;
    private byte[] text;
    private int start;
    private int length;

    Values(JsonParser p, byte[] source) {
      this.p = p;
      this.source = source;
    }

    /**
     * The byte offset of the current string's opening quote in the source. Jackson's own parser
     * gives the offset just past it without making a {@code JsonLocation} for every value; callers
     * check that a quote is there and otherwise take the slow path.
     */
    private long tokenOffset() {
      return p instanceof ParserBase b
          ? b.getTokenCharacterOffset() - 1
          : p.currentTokenLocation().getByteOffset();
    }

    /** Points {@code text/start/length} at the current string value. */
    private void string() throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw new FieldError("is not a string: " + abbreviate(describe(p)));
      }
      if (source != null) {
        long quote = tokenOffset();
        if (quote >= 0 && quote < source.length && source[(int) quote] == '"') {
          int from = (int) quote + 1;
          for (int i = from; i < source.length; i++) {
            byte b = source[i];
            if (b == '"') {
              text = source;
              start = from;
              length = i - from;
              return;
            }
            if (b == '\\') {
              break;
            }
          }
        }
      }
      text = p.getText().getBytes(StandardCharsets.ISO_8859_1);
      start = 0;
      length = text.length;
    }

    private String quoted() {
      return "\"" + abbreviate(new String(text, start, length, StandardCharsets.UTF_8)) + "\"";
    }

    long quantity() throws IOException {
      string();
      long v = Hex.quantity(text, start, length);
      if (v < 0) {
        throw new FieldError("is not a hex quantity below 2^63: " + quoted());
      }
      return v;
    }

    int intQuantity() throws IOException {
      long v = quantity();
      if (v > Integer.MAX_VALUE) {
        throw new FieldError("is out of range: " + v);
      }
      return (int) v;
    }

    byte[] decimal() throws IOException {
      string();
      byte[] v = Hex.decimal38(text, start, length);
      if (v == null) {
        throw new FieldError("is not a hex quantity: " + quoted());
      }
      if (v == Hex.TOO_BIG) {
        throw new FieldError(
            "is "
                + Hex.bigQuantity(new String(text, start, length, StandardCharsets.ISO_8859_1))
                + ", which does not fit decimal(38,0)");
      }
      return v;
    }

    byte[] data() throws IOException {
      string();
      byte[] v = Hex.data(text, start, length);
      if (v == null) {
        throw new FieldError("is not hex data: " + quoted());
      }
      return v;
    }

    byte[] fixed(int length) throws IOException {
      if (source != null && p.currentToken() == JsonToken.VALUE_STRING) {
        // the common case without a scan: "0x" and 2 * length hex digits, then the quote
        long quote = tokenOffset();
        long end = quote + 3 + 2L * length;
        if (quote >= 0
            && end < source.length
            && source[(int) quote] == '"'
            && source[(int) end] == '"') {
          byte[] v = Hex.data(source, (int) quote + 1, (int) (end - quote - 1));
          if (v != null) {
            return v;
          }
        }
      }
      byte[] v = data();
      if (v.length != length) {
        throw new FieldError("has " + v.length + " bytes, expected " + length);
      }
      return v;
    }

    /** The current value as JSON text, consuming it; for messages. */
    static String describe(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        Object tree = p.readValueAsTree();
        return String.valueOf(tree);
      }
      if (t == JsonToken.VALUE_STRING) {
        return "\"" + p.getText() + "\"";
      }
      return p.getText();
    }

    private static String abbreviate(String s) {
      return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
  }
}
