package io.ampd.extract;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns JSON-RPC results into the data model straight from the response bytes ({@link JsonScanner}:
 * no tokens, no tree, no string per value; hex is decoded in place), checking every field it reads:
 * a missing field, a wrong JSON type, bad hex, a hash of the wrong length, a number too large for
 * its column or a block that is not the one asked for throws {@link MalformedResponseException}
 * naming the block and the field. JSON that is not well-formed throws {@link
 * JsonScanner.SyntaxError}.
 *
 * <p>Each method starts with the scanner on the value and leaves it just after it. Fields may come
 * in any order; unknown fields are skipped. A field that is {@code null} counts as absent.
 */
final class RpcDecoder {
  /** decimal(38,0) holds values below 10^38. */
  static final BigInteger DECIMAL38_LIMIT = BigInteger.TEN.pow(38);

  private RpcDecoder() {}

  /**
   * A field the decoder reads: {@code id}, the label its {@code switch} case matches and its index
   * in its table (checked by {@link #names}), and {@code name}, its JSON name. One table per object
   * (a block, a transaction, a log) holds everything about each field.
   */
  private record Field(int id, String name) {}

  // block fields: the switch labels, and the table that names them
  private static final int B_NUMBER = 0;
  private static final int B_TIMESTAMP = 1;
  private static final int B_HASH = 2;
  private static final int B_PARENT_HASH = 3;
  private static final int B_MINER = 4;
  private static final int B_STATE_ROOT = 5;
  private static final int B_TRANSACTIONS_ROOT = 6;
  private static final int B_RECEIPTS_ROOT = 7;
  private static final int B_GAS_USED = 8;
  private static final int B_GAS_LIMIT = 9;
  private static final int B_BASE_FEE = 10;
  private static final int B_DIFFICULTY = 11;
  private static final int B_SIZE = 12;
  private static final int B_EXTRA_DATA = 13;
  private static final int B_TRANSACTIONS = 14;

  private static final Field[] BLOCK = {
    new Field(B_NUMBER, "number"),
    new Field(B_TIMESTAMP, "timestamp"),
    new Field(B_HASH, "hash"),
    new Field(B_PARENT_HASH, "parentHash"),
    new Field(B_MINER, "miner"),
    new Field(B_STATE_ROOT, "stateRoot"),
    new Field(B_TRANSACTIONS_ROOT, "transactionsRoot"),
    new Field(B_RECEIPTS_ROOT, "receiptsRoot"),
    new Field(B_GAS_USED, "gasUsed"),
    new Field(B_GAS_LIMIT, "gasLimit"),
    new Field(B_BASE_FEE, "baseFeePerGas"),
    new Field(B_DIFFICULTY, "difficulty"),
    new Field(B_SIZE, "size"),
    new Field(B_EXTRA_DATA, "extraData"),
    new Field(B_TRANSACTIONS, "transactions"),
  };

  private static final int T_INDEX = 0;
  private static final int T_BLOCK_NUMBER = 1;
  private static final int T_TYPE = 2;
  private static final int T_HASH = 3;
  private static final int T_FROM = 4;
  private static final int T_TO = 5;
  private static final int T_NONCE = 6;
  private static final int T_VALUE = 7;
  private static final int T_GAS = 8;
  private static final int T_GAS_PRICE = 9;
  private static final int T_MAX_FEE = 10;
  private static final int T_MAX_PRIORITY = 11;
  private static final int T_INPUT = 12;

  private static final Field[] TRANSACTION = {
    new Field(T_INDEX, "transactionIndex"),
    new Field(T_BLOCK_NUMBER, "blockNumber"),
    new Field(T_TYPE, "type"),
    new Field(T_HASH, "hash"),
    new Field(T_FROM, "from"),
    new Field(T_TO, "to"),
    new Field(T_NONCE, "nonce"),
    new Field(T_VALUE, "value"),
    new Field(T_GAS, "gas"),
    new Field(T_GAS_PRICE, "gasPrice"),
    new Field(T_MAX_FEE, "maxFeePerGas"),
    new Field(T_MAX_PRIORITY, "maxPriorityFeePerGas"),
    new Field(T_INPUT, "input"),
  };

  private static final int L_BLOCK_NUMBER = 0;
  private static final int L_TOPICS = 1;
  private static final int L_REMOVED = 2;
  private static final int L_BLOCK_HASH = 3;
  private static final int L_TX_INDEX = 4;
  private static final int L_TX_HASH = 5;
  private static final int L_LOG_INDEX = 6;
  private static final int L_ADDRESS = 7;
  private static final int L_DATA = 8;

  private static final Field[] LOG = {
    new Field(L_BLOCK_NUMBER, "blockNumber"),
    new Field(L_TOPICS, "topics"),
    new Field(L_REMOVED, "removed"),
    new Field(L_BLOCK_HASH, "blockHash"),
    new Field(L_TX_INDEX, "transactionIndex"),
    new Field(L_TX_HASH, "transactionHash"),
    new Field(L_LOG_INDEX, "logIndex"),
    new Field(L_ADDRESS, "address"),
    new Field(L_DATA, "data"),
  };

  /** The names of a table's fields, each at its id: the order {@link FieldNames} matches in. */
  private static String[] names(Field[] table) {
    String[] names = new String[table.length];
    for (int i = 0; i < table.length; i++) {
      if (table[i].id() != i) {
        throw new IllegalStateException(
            "field " + table[i].name() + " has id " + table[i].id() + " at index " + i);
      }
      names[i] = table[i].name();
    }
    return names;
  }

  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

  /**
   * What one decoder (one batch) keeps between objects: the learned field orders ({@link
   * FieldNames}) and a reusable list for a block's transactions.
   */
  static final class Names {
    final FieldNames block = new FieldNames(names(BLOCK));
    final FieldNames transaction = new FieldNames(names(TRANSACTION));
    final FieldNames log = new FieldNames(names(LOG));
    final ArrayList<EvmTransaction> transactions = new ArrayList<>(64);
  }

  static EvmBlock block(long expected, JsonScanner s, Names names, boolean fullTransactions) {
    if (s.peek() != '{') {
      throw new MalformedResponseException(
          "block " + expected + " is not an object: " + s.describeValue());
    }
    Values v = new Values(s);
    FieldNames fields = names.block;
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
    int id = FieldNames.UNKNOWN;
    try {
      s.startObject();
      fields.start();
      while ((id = s.nextKnownField(fields)) != JsonScanner.END) {
        switch (id) {
          case B_NUMBER -> {
            number = v.quantity();
            if (number != expected) {
              throw new FieldError("is " + number + ", expected " + expected);
            }
          }
          case B_TIMESTAMP -> {
            timestamp = v.quantity();
            if (timestamp > Long.MAX_VALUE / 1000) {
              throw new FieldError("is out of range: " + timestamp);
            }
          }
          case B_HASH -> hash = v.fixed(32);
          case B_PARENT_HASH -> parentHash = v.fixed(32);
          case B_MINER -> miner = v.fixed(20);
          case B_STATE_ROOT -> stateRoot = v.fixed(32);
          case B_TRANSACTIONS_ROOT -> transactionsRoot = v.fixed(32);
          case B_RECEIPTS_ROOT -> receiptsRoot = v.fixed(32);
          case B_GAS_USED -> gasUsed = v.quantity();
          case B_GAS_LIMIT -> gasLimit = v.quantity();
          case B_BASE_FEE -> baseFee = v.decimal();
          case B_DIFFICULTY -> difficulty = v.decimal();
          case B_SIZE -> size = v.quantity();
          case B_EXTRA_DATA -> extraData = v.data();
          case B_TRANSACTIONS -> {
            if (s.peek() != '[') {
              throw new FieldError("is not an array: " + s.describeValue());
            }
            s.startArray();
            if (fullTransactions) {
              ArrayList<EvmTransaction> list = names.transactions;
              list.clear();
              while (s.nextElement()) {
                list.add(transaction(expected, list.size(), s, names));
              }
              txCount = list.size();
              transactions = txCount == 0 ? List.of() : Arrays.asList(list.toArray(NO_TXS));
            } else {
              txCount = 0;
              while (s.nextElement()) {
                s.skipValue();
                txCount++;
              }
            }
          }
          default -> throw new IllegalStateException("field " + id);
        }
      }
      id = B_NUMBER; // names the missing field below
      if (number < 0) {
        throw FieldError.MISSING;
      }
      id = B_TIMESTAMP;
      if (timestamp < 0) {
        throw FieldError.MISSING;
      }
      id = B_TRANSACTIONS;
      if (txCount < 0) {
        throw FieldError.MISSING;
      }
      return new EvmBlock(
          number,
          required(BLOCK, B_HASH, hash),
          required(BLOCK, B_PARENT_HASH, parentHash),
          timestamp,
          required(BLOCK, B_MINER, miner),
          required(BLOCK, B_STATE_ROOT, stateRoot),
          required(BLOCK, B_TRANSACTIONS_ROOT, transactionsRoot),
          required(BLOCK, B_RECEIPTS_ROOT, receiptsRoot),
          required(BLOCK, B_GAS_USED, gasUsed),
          required(BLOCK, B_GAS_LIMIT, gasLimit),
          baseFee,
          required(BLOCK, B_DIFFICULTY, difficulty),
          required(BLOCK, B_SIZE, size),
          required(BLOCK, B_EXTRA_DATA, extraData),
          txCount,
          transactions);
    } catch (FieldError e) {
      String name = e.field != null ? e.field : id >= 0 ? BLOCK[id].name() : null;
      throw e.in("block " + expected, name);
    }
  }

  private static final EvmTransaction[] NO_TXS = new EvmTransaction[0];

  private static EvmTransaction transaction(long block, int index, JsonScanner s, Names names) {
    if (s.peek() != '{') {
      throw new MalformedResponseException(
          "block "
              + block
              + " transaction "
              + index
              + " is not an object (was the block fetched without transactions?)");
    }
    Values v = new Values(s);
    FieldNames fields = names.transaction;
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
    int id = FieldNames.UNKNOWN;
    try {
      s.startObject();
      fields.start();
      while ((id = s.nextKnownField(fields)) != JsonScanner.END) {
        switch (id) {
          case T_INDEX -> {
            txIndex = v.quantity();
            if (txIndex != index) {
              throw new FieldError("is " + txIndex + ", expected " + index);
            }
          }
          case T_BLOCK_NUMBER -> {
            blockNumber = v.quantity();
            if (blockNumber != block) {
              throw new FieldError("is " + blockNumber + ", expected " + block);
            }
          }
          case T_TYPE -> {
            type = v.quantity();
            if (type > Integer.MAX_VALUE) {
              throw new FieldError("is out of range: " + type);
            }
          }
          case T_HASH -> hash = v.fixed(32);
          case T_FROM -> from = v.fixed(20);
          case T_TO -> to = v.fixed(20);
          case T_NONCE -> nonce = v.quantity();
          case T_VALUE -> value = v.decimal();
          case T_GAS -> gas = v.quantity();
          case T_GAS_PRICE -> gasPrice = v.decimal();
          case T_MAX_FEE -> maxFee = v.decimal();
          case T_MAX_PRIORITY -> maxPriority = v.decimal();
          case T_INPUT -> input = v.data();
          default -> throw new IllegalStateException("field " + id);
        }
      }
      required(TRANSACTION, T_INDEX, txIndex);
      required(TRANSACTION, T_BLOCK_NUMBER, blockNumber);
      return new EvmTransaction(
          index,
          required(TRANSACTION, T_HASH, hash),
          required(TRANSACTION, T_FROM, from),
          to,
          required(TRANSACTION, T_NONCE, nonce),
          required(TRANSACTION, T_VALUE, value),
          required(TRANSACTION, T_GAS, gas),
          gasPrice,
          maxFee,
          maxPriority,
          required(TRANSACTION, T_INPUT, input),
          (int) type);
    } catch (FieldError e) {
      String name = e.field != null ? e.field : id >= 0 ? TRANSACTION[id].name() : null;
      throw e.in("block " + block + " transaction " + index, name);
    }
  }

  /**
   * A log of {@code eth_getLogs} over blocks {@code first..last}. Errors name the log's block; a
   * bad field seen before {@code blockNumber} is reported once {@code blockNumber} is known.
   */
  static EvmLog log(long first, long last, int position, JsonScanner s, Names names) {
    if (s.peek() != '{') {
      throw new MalformedResponseException(
          "logs of blocks "
              + first
              + "-"
              + last
              + " entry "
              + position
              + " is not an object: "
              + s.describeValue());
    }
    Values v = new Values(s);
    FieldNames fields = names.log;
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
    s.startObject();
    fields.start();
    int id;
    while ((id = s.nextKnownField(fields)) != JsonScanner.END) {
      int mark = s.position();
      try {
        switch (id) {
          case L_BLOCK_NUMBER -> {
            try {
              blockNumber = v.quantity();
            } catch (FieldError e) {
              throw e.in(
                  "logs of blocks " + first + "-" + last + " entry " + position,
                  LOG[L_BLOCK_NUMBER].name());
            }
            if (blockNumber < first || blockNumber > last) {
              throw new FieldError("is " + blockNumber + ", outside the requested range")
                  .in(
                      "logs of blocks " + first + "-" + last + " entry " + position,
                      LOG[L_BLOCK_NUMBER].name());
            }
          }
          case L_TOPICS -> topics = topics(v, s);
          case L_REMOVED -> removed = removed(s);
          case L_BLOCK_HASH -> blockHash = v.fixed(32);
          case L_TX_INDEX -> txIndex = v.intQuantity();
          case L_TX_HASH -> txHash = v.fixed(32);
          case L_LOG_INDEX -> logIndex = v.intQuantity();
          case L_ADDRESS -> address = v.fixed(20);
          case L_DATA -> data = v.data();
          default -> throw new IllegalStateException("field " + id);
        }
      } catch (FieldError e) {
        String field = LOG[id].name();
        if (blockNumber >= 0) {
          throw e.in(
              "block " + blockNumber + " log " + position, e.field != null ? e.field : field);
        }
        if (pending == null) {
          pending = e.field != null ? e : e.named(field);
        }
        s.reset(mark);
        s.skipValue();
      }
      if (pending != null && blockNumber >= 0) {
        throw pending.in("block " + blockNumber + " log " + position, pending.field);
      }
    }
    if (blockNumber < 0) {
      throw FieldError.MISSING.in(
          "logs of blocks " + first + "-" + last + " entry " + position,
          LOG[L_BLOCK_NUMBER].name());
    }
    String where = "block " + blockNumber + " log " + position;
    if (topics == null) {
      throw FieldError.MISSING.in(where, LOG[L_TOPICS].name());
    }
    if (removed) {
      throw new FieldError("is true: the node returned a log of a block that was reorganised away")
          .in(where, LOG[L_REMOVED].name());
    }
    try {
      return new EvmLog(
          blockNumber,
          required(LOG, L_BLOCK_HASH, blockHash),
          required(LOG, L_TX_INDEX, txIndex),
          required(LOG, L_TX_HASH, txHash),
          required(LOG, L_LOG_INDEX, logIndex),
          required(LOG, L_ADDRESS, address),
          topics,
          required(LOG, L_DATA, data));
    } catch (FieldError e) {
      throw e.in(where, e.field);
    }
  }

  /** {@code removed}: true for {@code true} (or the string "true"), else false. */
  private static boolean removed(JsonScanner s) {
    int b = s.peek();
    if (b == 't' || b == 'f') {
      return s.booleanValue();
    }
    if (b == '"') {
      s.string();
      return s.textEquals(TRUE);
    }
    s.skipValue();
    return false;
  }

  private static final byte[][] NO_TOPICS = new byte[0][];

  private static byte[][] topics(Values v, JsonScanner s) {
    if (s.peek() != '[') {
      throw new FieldError("is not an array");
    }
    s.startArray();
    byte[][] topics = new byte[4][];
    int n = 0;
    while (s.nextElement()) {
      if (n < 4) {
        try {
          topics[n] = v.fixed(32);
        } catch (FieldError e) {
          throw e.named("topics[" + n + "]");
        }
      } else {
        s.skipValue();
      }
      n++;
    }
    if (n > 4) {
      throw new FieldError("has " + n + " entries, at most 4 allowed").named("topics");
    }
    if (n == 0) {
      return NO_TOPICS;
    }
    return n == 4 ? topics : Arrays.copyOf(topics, n);
  }

  /** {@code value}, or {@link FieldError#MISSING} naming field {@code id} of {@code table}. */
  private static <T> T required(Field[] table, int id, T value) {
    if (value == null) {
      throw FieldError.MISSING.named(table[id].name());
    }
    return value;
  }

  private static long required(Field[] table, int id, long value) {
    if (value < 0) {
      throw FieldError.MISSING.named(table[id].name());
    }
    return value;
  }

  private static int required(Field[] table, int id, int value) {
    if (value < 0) {
      throw FieldError.MISSING.named(table[id].name());
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
   * Reads the next value as a value of a column type, or throws {@link FieldError}. Hashes,
   * addresses and quantities are decoded straight from the response bytes ({@link
   * JsonScanner#hexFixed}, {@link JsonScanner#hexQuantity}); anything off that fast path (escapes,
   * odd lengths, large numbers, errors) is read as a string first, for the exact value or message.
   */
  private static final class Values {
    private final JsonScanner s;

    Values(JsonScanner s) {
      this.s = s;
    }

    /** Reads the next value, which must be a string, into the scanner's text. */
    private void string() {
      if (s.peek() != '"') {
        throw new FieldError("is not a string: " + s.describeValue());
      }
      s.string();
    }

    private String quoted() {
      String t = s.textString();
      return "\"" + (t.length() <= 80 ? t : t.substring(0, 77) + "...") + "\"";
    }

    long quantity() {
      long v = s.hexQuantity();
      if (v >= 0) {
        return v;
      }
      string();
      v = Hex.quantity(s.text(), s.textStart(), s.textLength());
      if (v < 0) {
        throw new FieldError("is not a hex quantity below 2^63: " + quoted());
      }
      return v;
    }

    int intQuantity() {
      long v = quantity();
      if (v > Integer.MAX_VALUE) {
        throw new FieldError("is out of range: " + v);
      }
      return (int) v;
    }

    byte[] decimal() {
      byte[] fast = s.hexDecimal38();
      if (fast != null) {
        return fast;
      }
      string();
      byte[] v = Hex.decimal38(s.text(), s.textStart(), s.textLength());
      if (v == null) {
        throw new FieldError("is not a hex quantity: " + quoted());
      }
      if (v == Hex.TOO_BIG) {
        throw new FieldError(
            "is "
                + Hex.bigQuantity(
                    new String(
                        s.text(), s.textStart(), s.textLength(), StandardCharsets.ISO_8859_1))
                + ", which does not fit decimal(38,0)");
      }
      return v;
    }

    byte[] data() {
      byte[] fast = s.hexData();
      if (fast != null) {
        return fast;
      }
      string();
      byte[] v = Hex.data(s.text(), s.textStart(), s.textLength());
      if (v == null) {
        throw new FieldError("is not hex data: " + quoted());
      }
      return v;
    }

    byte[] fixed(int length) {
      byte[] v = s.hexFixed(length);
      if (v != null) {
        return v;
      }
      v = data();
      if (v.length != length) {
        throw new FieldError("has " + v.length + " bytes, expected " + length);
      }
      return v;
    }
  }
}
