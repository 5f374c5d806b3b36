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
  private static final int B_OMMERS_HASH = 15;
  private static final int B_LOGS_BLOOM = 16;
  private static final int B_TOTAL_DIFFICULTY = 17;
  private static final int B_MIX_HASH = 18;
  private static final int B_NONCE = 19;
  private static final int B_WITHDRAWALS_ROOT = 20;
  private static final int B_BLOB_GAS_USED = 21;
  private static final int B_EXCESS_BLOB_GAS = 22;
  private static final int B_PARENT_BEACON_ROOT = 23;
  private static final int B_REQUESTS_HASH = 24;

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
    new Field(B_OMMERS_HASH, "sha3Uncles"),
    new Field(B_LOGS_BLOOM, "logsBloom"),
    new Field(B_TOTAL_DIFFICULTY, "totalDifficulty"),
    new Field(B_MIX_HASH, "mixHash"),
    new Field(B_NONCE, "nonce"),
    new Field(B_WITHDRAWALS_ROOT, "withdrawalsRoot"),
    new Field(B_BLOB_GAS_USED, "blobGasUsed"),
    new Field(B_EXCESS_BLOB_GAS, "excessBlobGas"),
    new Field(B_PARENT_BEACON_ROOT, "parentBeaconBlockRoot"),
    new Field(B_REQUESTS_HASH, "requestsHash"),
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
  private static final int T_V = 13;
  private static final int T_R = 14;
  private static final int T_S = 15;
  private static final int T_Y_PARITY = 16;
  private static final int T_CHAIN_ID = 17;
  private static final int T_MAX_FEE_BLOB = 18;
  private static final int T_ACCESS_LIST = 19;
  private static final int T_BLOB_HASHES = 20;
  private static final int T_AUTHORIZATIONS = 21;

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
    new Field(T_V, "v"),
    new Field(T_R, "r"),
    new Field(T_S, "s"),
    new Field(T_Y_PARITY, "yParity"),
    new Field(T_CHAIN_ID, "chainId"),
    new Field(T_MAX_FEE_BLOB, "maxFeePerBlobGas"),
    new Field(T_ACCESS_LIST, "accessList"),
    new Field(T_BLOB_HASHES, "blobVersionedHashes"),
    new Field(T_AUTHORIZATIONS, "authorizationList"),
  };

  private static final int R_TX_HASH = 0;
  private static final int R_TX_INDEX = 1;
  private static final int R_BLOCK_HASH = 2;
  private static final int R_BLOCK_NUMBER = 3;
  private static final int R_STATUS = 4;
  private static final int R_ROOT = 5;
  private static final int R_GAS_USED = 6;
  private static final int R_CUMULATIVE_GAS_USED = 7;
  private static final int R_EFFECTIVE_GAS_PRICE = 8;
  private static final int R_CONTRACT_ADDRESS = 9;
  private static final int R_BLOB_GAS_USED = 10;
  private static final int R_BLOB_GAS_PRICE = 11;
  private static final int R_LOGS = 12;

  private static final Field[] RECEIPT = {
    new Field(R_TX_HASH, "transactionHash"),
    new Field(R_TX_INDEX, "transactionIndex"),
    new Field(R_BLOCK_HASH, "blockHash"),
    new Field(R_BLOCK_NUMBER, "blockNumber"),
    new Field(R_STATUS, "status"),
    new Field(R_ROOT, "root"),
    new Field(R_GAS_USED, "gasUsed"),
    new Field(R_CUMULATIVE_GAS_USED, "cumulativeGasUsed"),
    new Field(R_EFFECTIVE_GAS_PRICE, "effectiveGasPrice"),
    new Field(R_CONTRACT_ADDRESS, "contractAddress"),
    new Field(R_BLOB_GAS_USED, "blobGasUsed"),
    new Field(R_BLOB_GAS_PRICE, "blobGasPrice"),
    new Field(R_LOGS, "logs"),
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
    final FieldNames receipt = new FieldNames(names(RECEIPT));
    final ArrayList<EvmTransaction> transactions = new ArrayList<>(64);
    final ArrayList<byte[]> hashes = new ArrayList<>(64);
    final ArrayList<EvmLog> logs = new ArrayList<>(16);
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
    byte[] ommersHash = null;
    byte[] miner = null;
    byte[] stateRoot = null;
    byte[] transactionsRoot = null;
    byte[] receiptsRoot = null;
    byte[] logsBloom = null;
    byte[] baseFee = null;
    byte[] difficulty = null;
    byte[] totalDifficulty = null;
    byte[] extraData = null;
    byte[] mixHash = null;
    long nonce = 0;
    byte[] withdrawalsRoot = null;
    Long blobGasUsed = null;
    Long excessBlobGas = null;
    byte[] parentBeaconRoot = null;
    byte[] requestsHash = null;
    int txCount = -1;
    byte[][] txHashes = NO_HASHES;
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
          case B_OMMERS_HASH -> ommersHash = v.fixed(32);
          case B_MINER -> miner = v.fixed(20);
          case B_STATE_ROOT -> stateRoot = v.fixed(32);
          case B_TRANSACTIONS_ROOT -> transactionsRoot = v.fixed(32);
          case B_RECEIPTS_ROOT -> receiptsRoot = v.fixed(32);
          case B_LOGS_BLOOM -> logsBloom = v.data();
          case B_GAS_USED -> gasUsed = v.quantity();
          case B_GAS_LIMIT -> gasLimit = v.quantity();
          case B_BASE_FEE -> baseFee = v.decimal();
          case B_DIFFICULTY -> difficulty = v.decimal();
          case B_TOTAL_DIFFICULTY -> totalDifficulty = v.decimal();
          case B_SIZE -> size = v.quantity();
          case B_EXTRA_DATA -> extraData = v.data();
          case B_MIX_HASH -> mixHash = v.fixed(32);
          case B_NONCE -> nonce = v.unsigned64();
          case B_WITHDRAWALS_ROOT -> withdrawalsRoot = v.fixed(32);
          case B_BLOB_GAS_USED -> blobGasUsed = v.quantity();
          case B_EXCESS_BLOB_GAS -> excessBlobGas = v.quantity();
          case B_PARENT_BEACON_ROOT -> parentBeaconRoot = v.fixed(32);
          case B_REQUESTS_HASH -> requestsHash = v.fixed(32);
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
              txHashes = new byte[txCount][];
              for (int i = 0; i < txCount; i++) {
                txHashes[i] = transactions.get(i).hash();
              }
            } else {
              ArrayList<byte[]> list = names.hashes;
              list.clear();
              while (s.nextElement()) {
                if (s.peek() != '"') {
                  throw new MalformedResponseException(
                      "block "
                          + expected
                          + " transaction "
                          + list.size()
                          + " is not a hash (was the block fetched with transactions?)");
                }
                try {
                  list.add(v.fixed(32));
                } catch (FieldError e) {
                  throw e.named("transactions[" + list.size() + "]");
                }
              }
              txCount = list.size();
              txHashes = list.toArray(NO_HASHES);
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
          required(BLOCK, B_OMMERS_HASH, ommersHash),
          required(BLOCK, B_MINER, miner),
          required(BLOCK, B_STATE_ROOT, stateRoot),
          required(BLOCK, B_TRANSACTIONS_ROOT, transactionsRoot),
          required(BLOCK, B_RECEIPTS_ROOT, receiptsRoot),
          required(BLOCK, B_LOGS_BLOOM, logsBloom),
          required(BLOCK, B_DIFFICULTY, difficulty),
          totalDifficulty,
          required(BLOCK, B_GAS_LIMIT, gasLimit),
          required(BLOCK, B_GAS_USED, gasUsed),
          required(BLOCK, B_EXTRA_DATA, extraData),
          mixHash != null ? mixHash : ZERO_WORD,
          nonce,
          baseFee,
          withdrawalsRoot,
          blobGasUsed,
          excessBlobGas,
          parentBeaconRoot,
          requestsHash,
          required(BLOCK, B_SIZE, size),
          txCount,
          txHashes,
          transactions);
    } catch (FieldError e) {
      String name = e.field != null ? e.field : id >= 0 ? BLOCK[id].name() : null;
      throw e.in("block " + expected, name);
    }
  }

  private static final byte[][] NO_HASHES = new byte[0][];

  /** A word of 32 zero bytes: {@code mixHash}, {@code r} and {@code s} when a node gives none. */
  private static final byte[] ZERO_WORD = new byte[32];

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
    long sigV = -1;
    long yParity = -1;
    Long chainId = null;
    byte[] hash = null;
    byte[] from = null;
    byte[] to = null;
    byte[] value = null;
    byte[] gasPrice = null;
    byte[] maxFee = null;
    byte[] maxPriority = null;
    byte[] maxFeeBlob = null;
    byte[] input = null;
    byte[] r = null;
    byte[] sigS = null;
    List<EvmTransaction.AccessListEntry> accessList = null;
    byte[][] blobHashes = null;
    List<EvmTransaction.Authorization> authorizations = null;
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
          case T_MAX_FEE_BLOB -> maxFeeBlob = v.decimal();
          case T_INPUT -> input = v.data();
          case T_V -> sigV = v.quantity();
          case T_R -> r = v.word(32);
          case T_S -> sigS = v.word(32);
          case T_Y_PARITY -> yParity = v.quantity();
          case T_CHAIN_ID -> chainId = v.quantity();
          case T_ACCESS_LIST -> accessList = accessList(v, s);
          case T_BLOB_HASHES -> blobHashes = hashes(v, s, "blobVersionedHashes");
          case T_AUTHORIZATIONS -> authorizations = authorizations(v, s);
          default -> throw new IllegalStateException("field " + id);
        }
      }
      required(TRANSACTION, T_INDEX, txIndex);
      required(TRANSACTION, T_BLOCK_NUMBER, blockNumber);
      // Types 0 to 4 are signed; another type (a chain's own, such as a deposit) may have no
      // signature: zeros, as Amp writes them.
      boolean known = type >= 0 && type <= 4;
      if (known) {
        required(TRANSACTION, T_R, r);
        required(TRANSACTION, T_S, sigS);
        if (sigV < 0 && yParity < 0) {
          throw FieldError.MISSING.named(TRANSACTION[T_V].name());
        }
      }
      long shownV = sigV >= 0 ? sigV : Math.max(0, yParity);
      boolean parity;
      if (type != 0 && yParity >= 0) {
        parity = yParity == 1;
      } else if (type == 0 && sigV >= 35) {
        parity = ((sigV - 35) & 1) == 1;
        if (chainId == null) {
          chainId = (sigV - 35) / 2;
        }
      } else if (type == 0 && sigV >= 27) {
        parity = sigV == 28;
      } else {
        parity = (shownV & 1) == 1;
      }
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
          maxFeeBlob,
          required(TRANSACTION, T_INPUT, input),
          (int) type,
          shownV,
          r != null ? r : ZERO_WORD,
          sigS != null ? sigS : ZERO_WORD,
          parity,
          chainId,
          accessList,
          blobHashes,
          authorizations);
    } catch (FieldError e) {
      String name = e.field != null ? e.field : id >= 0 ? TRANSACTION[id].name() : null;
      throw e.in("block " + block + " transaction " + index, name);
    }
  }

  private static final byte[] ADDRESS = "address".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STORAGE_KEYS = "storageKeys".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHAIN_ID = "chainId".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NONCE = "nonce".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] Y_PARITY = "yParity".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] V = "v".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] R = "r".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] S = "s".getBytes(StandardCharsets.US_ASCII);

  /** {@code accessList}: [{address, storageKeys: [hash…]}…]. */
  private static List<EvmTransaction.AccessListEntry> accessList(Values v, JsonScanner s) {
    if (s.peek() != '[') {
      throw new FieldError("is not an array: " + s.describeValue());
    }
    List<EvmTransaction.AccessListEntry> out = new ArrayList<>();
    s.startArray();
    while (s.nextElement()) {
      String at = "accessList[" + out.size() + "]";
      if (s.peek() != '{') {
        throw new FieldError("is not an object: " + s.describeValue()).named(at);
      }
      byte[] address = null;
      byte[][] keys = null;
      s.startObject();
      while (s.nextField()) {
        String name = fieldText(s);
        try {
          if (s.textEquals(ADDRESS)) {
            address = v.fixed(20);
          } else if (s.textEquals(STORAGE_KEYS)) {
            keys = hashes(v, s, at + ".storageKeys");
          } else {
            s.skipValue();
          }
        } catch (FieldError e) {
          throw e.field != null ? e : e.named(at + "." + name);
        }
      }
      if (address == null) {
        throw FieldError.MISSING.named(at + ".address");
      }
      out.add(new EvmTransaction.AccessListEntry(address, keys != null ? keys : NO_HASHES));
    }
    return out;
  }

  /** The name of the field just read (the scanner's text), for a message. */
  private static String fieldText(JsonScanner s) {
    return s.textString();
  }

  /** An array of 32-byte hashes, field {@code name}. */
  private static byte[][] hashes(Values v, JsonScanner s, String name) {
    if (s.peek() != '[') {
      throw new FieldError("is not an array: " + s.describeValue());
    }
    List<byte[]> out = new ArrayList<>();
    s.startArray();
    while (s.nextElement()) {
      try {
        out.add(v.fixed(32));
      } catch (FieldError e) {
        throw e.named(name + "[" + out.size() + "]");
      }
    }
    return out.toArray(NO_HASHES);
  }

  /** {@code authorizationList}: [{chainId, address, nonce, yParity, r, s}…]. */
  private static List<EvmTransaction.Authorization> authorizations(Values v, JsonScanner s) {
    if (s.peek() != '[') {
      throw new FieldError("is not an array: " + s.describeValue());
    }
    List<EvmTransaction.Authorization> out = new ArrayList<>();
    s.startArray();
    while (s.nextElement()) {
      String at = "authorizationList[" + out.size() + "]";
      if (s.peek() != '{') {
        throw new FieldError("is not an object: " + s.describeValue()).named(at);
      }
      long chainId = 0;
      long nonce = 0;
      long parity = -1;
      byte[] address = null;
      byte[] r = null;
      byte[] sigS = null;
      s.startObject();
      while (s.nextField()) {
        String name = fieldText(s);
        try {
          if (s.textEquals(CHAIN_ID)) {
            chainId = v.unsigned64OrZero();
          } else if (s.textEquals(ADDRESS)) {
            address = v.fixed(20);
          } else if (s.textEquals(NONCE)) {
            nonce = v.unsigned64();
          } else if (s.textEquals(Y_PARITY)) {
            parity = v.quantity();
          } else if (s.textEquals(V) && parity < 0) {
            parity = v.quantity();
          } else if (s.textEquals(R)) {
            r = v.word(32);
          } else if (s.textEquals(S)) {
            sigS = v.word(32);
          } else {
            s.skipValue();
          }
        } catch (FieldError e) {
          throw e.field != null ? e : e.named(at + "." + name);
        }
      }
      if (address == null) {
        throw FieldError.MISSING.named(at + ".address");
      }
      out.add(
          new EvmTransaction.Authorization(
              chainId,
              address,
              nonce,
              parity == 1,
              r != null ? r : ZERO_WORD,
              sigS != null ? sigS : ZERO_WORD));
    }
    return out;
  }

  /**
   * A receipt asked for with block {@code block}, the {@code index}-th (of the block's receipts, or
   * of its transactions when asked for by hash): both only name it in messages. Its logs are
   * decoded with it. Whether it is of that block and transaction is {@link Receipts#attach}'s to
   * check.
   */
  static EvmReceipt receipt(long block, int index, JsonScanner s, Names names) {
    String where = "block " + block + " receipt " + index;
    if (s.peek() != '{') {
      throw new MalformedResponseException(where + " is not an object: " + s.describeValue());
    }
    Values v = new Values(s);
    FieldNames fields = names.receipt;
    long txIndex = -1;
    long blockNumber = -1;
    long status = -1;
    long gasUsed = -1;
    long cumulative = -1;
    Long blobGasUsed = null;
    byte[] txHash = null;
    byte[] blockHash = null;
    byte[] root = null;
    byte[] effectiveGasPrice = null;
    byte[] contractAddress = null;
    byte[] blobGasPrice = null;
    List<EvmLog> logs = null;
    int id = FieldNames.UNKNOWN;
    try {
      s.startObject();
      fields.start();
      while ((id = s.nextKnownField(fields)) != JsonScanner.END) {
        switch (id) {
          case R_TX_HASH -> txHash = v.fixed(32);
          case R_TX_INDEX -> txIndex = v.intQuantity();
          case R_BLOCK_HASH -> blockHash = v.fixed(32);
          case R_BLOCK_NUMBER -> blockNumber = v.quantity();
          case R_STATUS -> {
            status = v.quantity();
            if (status > 1) {
              throw new FieldError("is " + status + ", expected 0 or 1");
            }
          }
          case R_ROOT -> root = v.fixed(32);
          case R_GAS_USED -> gasUsed = v.quantity();
          case R_CUMULATIVE_GAS_USED -> cumulative = v.quantity();
          case R_EFFECTIVE_GAS_PRICE -> effectiveGasPrice = v.decimal();
          case R_CONTRACT_ADDRESS -> contractAddress = v.fixed(20);
          case R_BLOB_GAS_USED -> blobGasUsed = v.quantity();
          case R_BLOB_GAS_PRICE -> blobGasPrice = v.decimal();
          case R_LOGS -> {
            if (s.peek() != '[') {
              throw new FieldError("is not an array: " + s.describeValue());
            }
            ArrayList<EvmLog> list = names.logs;
            list.clear();
            s.startArray();
            while (s.nextElement()) {
              list.add(log(0, Long.MAX_VALUE, list.size(), s, names));
            }
            logs = list.isEmpty() ? List.of() : List.copyOf(list);
          }
          default -> throw new IllegalStateException("field " + id);
        }
      }
      required(RECEIPT, R_BLOCK_NUMBER, blockNumber);
      if (status < 0 && root == null) {
        throw FieldError.MISSING.named(RECEIPT[R_STATUS].name());
      }
      return new EvmReceipt(
          (int) required(RECEIPT, R_TX_INDEX, txIndex),
          required(RECEIPT, R_TX_HASH, txHash),
          blockNumber,
          required(RECEIPT, R_BLOCK_HASH, blockHash),
          status != 0,
          root,
          required(RECEIPT, R_GAS_USED, gasUsed),
          required(RECEIPT, R_CUMULATIVE_GAS_USED, cumulative),
          effectiveGasPrice,
          contractAddress,
          blobGasUsed,
          blobGasPrice,
          required(RECEIPT, R_LOGS, logs));
    } catch (FieldError e) {
      String name = e.field != null ? e.field : id >= 0 ? RECEIPT[id].name() : null;
      throw e.in(where, name);
    }
  }

  /**
   * A log of a block in {@code first..last} (a receipt's: {@code first == last}). Errors name the
   * log's block; a bad field seen before {@code blockNumber} is reported once {@code blockNumber}
   * is known.
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

    /** A quantity or data of at most {@code width} bytes, left-padded: {@link Hex#word}. */
    byte[] word(int width) {
      string();
      byte[] w = Hex.word(s.text(), s.textStart(), s.textLength(), width);
      if (w == null) {
        throw new FieldError("is not a hex value of at most " + width + " bytes: " + quoted());
      }
      return w;
    }

    /** An unsigned 64-bit value (quantity or 8-byte data), as the long of the same bits. */
    long unsigned64() {
      byte[] w = word(8);
      long out = 0;
      for (byte b : w) {
        out = (out << 8) | (b & 0xff);
      }
      return out;
    }

    /** A quantity of up to 256 bits; its unsigned 64-bit value, or 0 when above 2^64 - 1. */
    long unsigned64OrZero() {
      byte[] w = word(32);
      for (int i = 0; i < 24; i++) {
        if (w[i] != 0) {
          return 0;
        }
      }
      long out = 0;
      for (int i = 24; i < 32; i++) {
        out = (out << 8) | (w[i] & 0xff);
      }
      return out;
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
