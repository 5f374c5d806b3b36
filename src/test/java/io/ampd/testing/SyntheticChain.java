package io.ampd.testing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic chain for tests: every field of block {@code n} is derived from the seed and
 * {@code n} alone, so any block can be produced on demand in any order, and tests can compare what
 * was extracted with what the node served. Values are JSON-RPC ready (hex strings); optional fields
 * are null when absent. The chain exercises what the extractor must handle: blocks without
 * transactions, contract creations ({@code to} null), transactions of types 0 to 4 as the forks
 * allow them (access lists, blobs, authorizations), legacy signatures with and without EIP-155,
 * reverted transactions (no logs), receipts with a state root before Byzantium, block fields that
 * appear at later forks, nonces above 2^63, values above 64 bits, logs with 0 to 4 topics and
 * empty data.
 */
public final class SyntheticChain {
  /** Receipts before this block have a state root and no status (as before Byzantium). */
  public static final long BYZANTIUM = 10;

  /** Access-list transactions (type 1) from this block on. */
  public static final long BERLIN = 40;

  /** Blocks before this one have no base fee (as before the London fork); type 2 from here. */
  public static final long LONDON = 50;

  /** Blocks from here on have no total difficulty and a zero nonce (proof of stake). */
  public static final long MERGE = 55;

  /** Withdrawals root from here on. */
  public static final long SHANGHAI = 60;

  /** Blob gas fields, parent beacon root and blob transactions (type 3) from here on. */
  public static final long CANCUN = 70;

  /** Requests hash and set-code transactions (type 4) from here on. */
  public static final long PRAGUE = 80;

  /** The chain id of EIP-155 signatures and typed transactions. */
  public static final long CHAIN_ID = 1337;

  private static final String ZERO_HASH = "0x" + "0".repeat(64);

  private final long seed;

  /** Blocks from this one on are derived from {@link #forkSeed}: see {@link #fork}. */
  private final long forkFrom;

  private final long forkSeed;

  public SyntheticChain(long seed) {
    this(seed, Long.MAX_VALUE, seed);
  }

  private SyntheticChain(long seed, long forkFrom, long forkSeed) {
    this.seed = seed;
    this.forkFrom = forkFrom;
    this.forkSeed = forkSeed;
  }

  /**
   * This chain after a reorganisation at block {@code from}: blocks before it are the same, block
   * {@code from} and every block after it differ in every field but the number (block {@code
   * from}'s parent is still this chain's block {@code from - 1}).
   */
  public SyntheticChain fork(long from, long seed) {
    return new SyntheticChain(this.seed, from, seed);
  }

  /**
   * A block.
   *
   * @param nonce 8 bytes as hex data
   * @param totalDifficulty null from {@link #MERGE}
   */
  public record Block(
      long number,
      String hash,
      String parentHash,
      long timestamp,
      String ommersHash,
      String miner,
      String stateRoot,
      String transactionsRoot,
      String receiptsRoot,
      String logsBloom,
      long gasUsed,
      long gasLimit,
      BigInteger baseFeePerGas,
      BigInteger difficulty,
      BigInteger totalDifficulty,
      String mixHash,
      String nonce,
      String withdrawalsRoot,
      Long blobGasUsed,
      Long excessBlobGas,
      String parentBeaconRoot,
      String requestsHash,
      long size,
      String extraData,
      List<Tx> transactions,
      List<Log> logs) {

    /** Whether its receipts carry a state root instead of a status. */
    public boolean preByzantium() {
      return number < BYZANTIUM;
    }
  }

  /**
   * A transaction with its receipt's fields.
   *
   * @param v the signature's v as served
   * @param r 32 bytes as hex data (served as a quantity, leading zeros dropped)
   * @param chainId null for a legacy transaction without EIP-155
   * @param chainIdServed whether the node serves {@code chainId} (a legacy EIP-155 transaction's
   *     is sometimes left out, and derived from {@code v})
   * @param status false for a reverted transaction (which has no logs)
   * @param root the receipt's state root before Byzantium, else null
   */
  public record Tx(
      int index,
      String hash,
      String from,
      String to,
      long nonce,
      BigInteger value,
      long gas,
      BigInteger gasPrice,
      BigInteger maxFeePerGas,
      BigInteger maxPriorityFeePerGas,
      BigInteger maxFeePerBlobGas,
      String input,
      int type,
      long v,
      String r,
      String s,
      boolean yParity,
      Long chainId,
      boolean chainIdServed,
      List<AccessListEntry> accessList,
      List<String> blobVersionedHashes,
      List<Authorization> authorizationList,
      boolean status,
      String root,
      long gasUsed,
      long cumulativeGasUsed,
      BigInteger effectiveGasPrice,
      String contractAddress,
      Long blobGasUsed,
      BigInteger blobGasPrice) {}

  public record AccessListEntry(String address, List<String> storageKeys) {}

  /**
   * An authorization.
   *
   * @param chainId unsigned 64-bit value
   * @param nonce unsigned 64-bit value
   */
  public record Authorization(
      BigInteger chainId, String address, BigInteger nonce, boolean yParity, String r, String s) {}

  public record Log(
      int txIndex, String txHash, int logIndex, String address, List<String> topics, String data) {}

  public Block block(long n) {
    int txCount = (int) (mix(n, 1, 0) % 9); // 0..8, mean 4
    List<Tx> txs = new ArrayList<>(txCount);
    List<Log> logs = new ArrayList<>();
    long cumulative = 0;
    for (int i = 0; i < txCount; i++) {
      Tx tx = tx(n, i, cumulative);
      cumulative = tx.cumulativeGasUsed();
      txs.add(tx);
      int logCount = tx.status() ? (int) (mix(n, 2, i) % 4) : 0;
      for (int k = 0; k < logCount; k++) {
        long r = mix(n, 3, i * 16 + k);
        int topicCount = (int) (r % 5);
        List<String> topics = new ArrayList<>(topicCount);
        for (int t = 0; t < topicCount; t++) {
          topics.add(t == 0 ? hash(0, 7, r % 16) : hash(n, 8 + t, i * 16 + k));
        }
        logs.add(
            new Log(
                i,
                tx.hash(),
                logs.size(),
                address(9, (r >>> 8) % 200),
                topics,
                bytes(n, 10, i * 16 + k, (int) ((r >>> 16) % 4) * 32)));
      }
    }
    long r = mix(n, 4, 0);
    long r2 = mix(n, 20, 0);
    BigInteger difficulty =
        n % 100 == 7
            ? BigInteger.TWO.pow(100).add(BigInteger.valueOf(n))
            : BigInteger.valueOf(r >>> 20);
    return new Block(
        n,
        blockHash(n),
        n == 0 ? ZERO_HASH : blockHash(n - 1),
        1_600_000_000L + 12 * n,
        hash(n, 21, 0),
        address(5, r % 64),
        hash(n, 11, 0),
        hash(n, 12, 0),
        hash(n, 13, 0),
        bytes(n, 22, 0, 256),
        21_000L * txCount + (r >>> 40),
        30_000_000L,
        n < LONDON ? null : BigInteger.valueOf(1_000_000_000L + (r >>> 34)),
        difficulty,
        n < MERGE ? BigInteger.valueOf(n).shiftLeft(70).add(difficulty) : null,
        hash(n, 23, 0),
        n < MERGE ? bytes(n, 24, 0, 8) : "0x0000000000000000",
        n < SHANGHAI ? null : hash(n, 25, 0),
        n < CANCUN ? null : (r2 % 7) * 131_072L,
        n < CANCUN ? null : (r2 >>> 8) % 5_000_000L,
        n < CANCUN ? null : hash(n, 26, 0),
        n < PRAGUE ? null : hash(n, 27, 0),
        500L + 120L * txCount,
        bytes(n, 14, 0, (int) (r % 33)),
        txs,
        logs);
  }

  private Tx tx(long n, int i, long cumulativeBefore) {
    long r = mix(n, 6, i);
    long r2 = mix(n, 28, i);
    int type = type(n, r2);
    boolean eip1559 = type >= 2;
    BigInteger value =
        (r & 6) == 0
            ? BigInteger.ZERO
            : (r & 6) == 2
                ? new BigInteger(1, new byte[] {(byte) (r >>> 8), (byte) (r >>> 16)})
                    .shiftLeft(90)
                    .add(BigInteger.valueOf(r >>> 24))
                : BigInteger.valueOf(r >>> 3);
    BigInteger maxPriority = eip1559 ? BigInteger.valueOf(1 + (r >>> 50)) : null;
    BigInteger maxFee = eip1559 ? BigInteger.valueOf(2_000_000_000L + (r >>> 36)) : null;
    BigInteger gasPrice = BigInteger.valueOf(1_000_000_000L + (r >>> 37));
    long gas = 21_000L + (r >>> 44);
    boolean parity = ((r2 >>> 5) & 1) == 1;
    long v;
    Long chainId;
    boolean chainIdServed;
    if (type == 0) {
      boolean eip155 = ((r2 >>> 6) & 1) == 1;
      v = eip155 ? CHAIN_ID * 2 + 35 + (parity ? 1 : 0) : 27 + (parity ? 1 : 0);
      chainId = eip155 ? CHAIN_ID : null;
      chainIdServed = eip155 && i % 2 == 0;
    } else {
      v = parity ? 1 : 0;
      chainId = CHAIN_ID;
      chainIdServed = true;
    }
    // r and s: sometimes with leading zero bytes, which the node drops (quantities)
    String sigR =
        ((r2 >>> 7) & 3) == 0 ? "0x0000" + bytes(n, 29, i, 30).substring(2) : hash(n, 29, i);
    String sigS =
        ((r2 >>> 9) & 7) == 0 ? "0x00" + bytes(n, 30, i, 31).substring(2) : hash(n, 30, i);
    List<AccessListEntry> accessList = type >= 1 ? accessList(n, i, r2) : null;
    List<String> blobs = null;
    BigInteger maxFeePerBlobGas = null;
    if (type == 3) {
      blobs = new ArrayList<>();
      for (int b = 0; b <= (int) ((r2 >>> 12) % 3); b++) {
        blobs.add("0x01" + bytes(n, 31, i * 8 + b, 31).substring(2));
      }
      maxFeePerBlobGas = BigInteger.valueOf(1 + (r2 >>> 40));
    }
    List<Authorization> authorizations = null;
    if (type == 4) {
      authorizations = new ArrayList<>();
      for (int a = 0; a <= (int) ((r2 >>> 14) % 2); a++) {
        long ra = mix(n, 32, i * 8 + a);
        authorizations.add(
            new Authorization(
                (ra & 1) == 0 ? BigInteger.ZERO : BigInteger.valueOf(CHAIN_ID),
                address(33, ra % 50),
                (ra & 2) == 0
                    ? BigInteger.valueOf(ra % 1000)
                    : BigInteger.ONE.shiftLeft(63).add(BigInteger.valueOf(ra % 1000)),
                ((ra >>> 2) & 1) == 1,
                hash(n, 34, i * 8 + a),
                hash(n, 35, i * 8 + a)));
      }
    }
    boolean status = n < BYZANTIUM || (r2 >>> 16) % 7 != 0;
    long gasUsed = 21_000L + ((r2 >>> 20) % (gas - 21_000L + 1));
    String to = (r % 10) == 3 ? null : address(17, (r >>> 12) % 300);
    Long blobGasUsed = type == 3 ? 131_072L * blobs.size() : null;
    return new Tx(
        i,
        txHash(n, i),
        address(16, (r >>> 4) % 500),
        to,
        (r >>> 20) % 1000,
        value,
        gas,
        gasPrice,
        maxFee,
        maxPriority,
        maxFeePerBlobGas,
        bytes(n, 18, i, (int) ((r >>> 28) % 69)),
        type,
        v,
        sigR,
        sigS,
        parity,
        chainId,
        chainIdServed,
        accessList,
        blobs,
        authorizations,
        status,
        n < BYZANTIUM ? hash(n, 36, i) : null,
        gasUsed,
        cumulativeBefore + gasUsed,
        gasPrice,
        to == null ? address(37, n * 16 + i) : null,
        blobGasUsed,
        type == 3 ? BigInteger.valueOf(1 + (r2 >>> 44)) : null);
  }

  /** The types the forks allow at block {@code n}, one picked. */
  private static int type(long n, long r) {
    int types = n >= PRAGUE ? 5 : n >= CANCUN ? 4 : n >= LONDON ? 3 : n >= BERLIN ? 2 : 1;
    return (int) (r % types);
  }

  private List<AccessListEntry> accessList(long n, int i, long r) {
    int entries = (int) ((r >>> 24) % 3);
    List<AccessListEntry> out = new ArrayList<>(entries);
    for (int e = 0; e < entries; e++) {
      long re = mix(n, 38, i * 8 + e);
      List<String> keys = new ArrayList<>();
      for (int k = 0; k < (int) (re % 3); k++) {
        keys.add(hash(n, 39, i * 64 + e * 8 + k));
      }
      out.add(new AccessListEntry(address(40, re % 100), keys));
    }
    return out;
  }

  /**
   * A transaction hash: 20 bytes derived as every other value, then the block number (8 bytes) and
   * the index (4 bytes), so that a node can find a transaction by its hash ({@link #locate}).
   */
  private String txHash(long n, int i) {
    return bytes(n, 15, i, 20) + String.format("%016x%08x", n, i);
  }

  /** The block number and index a transaction hash of this class names; null if none. */
  public static long[] locate(String txHash) {
    if (txHash.length() != 66 || !txHash.startsWith("0x")) {
      return null;
    }
    try {
      return new long[] {
        Long.parseUnsignedLong(txHash.substring(42, 58), 16),
        Long.parseLong(txHash.substring(58), 16)
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public String blockHash(long n) {
    return hash(n, 19, 0);
  }

  private String hash(long n, int kind, long i) {
    return bytes(n, kind, i, 32);
  }

  private String address(int kind, long pick) {
    return bytes(pick, kind, 0, 20);
  }

  private String bytes(long n, int kind, long i, int length) {
    char[] out = new char[2 + length * 2];
    out[0] = '0';
    out[1] = 'x';
    long state = mix(n, kind, i);
    for (int b = 0; b < length; b++) {
      if (b % 8 == 0 && b > 0) {
        state = splitmix(state);
      }
      int v = (int) (state >>> ((b % 8) * 8)) & 0xff;
      out[2 + 2 * b] = HEX[v >>> 4];
      out[3 + 2 * b] = HEX[v & 0xf];
    }
    return new String(out);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** A non-negative pseudo-random long from the seed and the three coordinates. */
  private long mix(long n, int kind, long i) {
    long seed = n >= forkFrom ? forkSeed : this.seed;
    return splitmix(seed ^ splitmix(n * 0x9E3779B97F4A7C15L + kind) ^ (i * 0xC2B2AE3D27D4EB4FL))
        >>> 1;
  }

  private static long splitmix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
