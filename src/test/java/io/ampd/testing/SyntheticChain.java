package io.ampd.testing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic chain for tests: every field of block {@code n} is derived from the seed and
 * {@code n} alone, so any block can be produced on demand in any order, and tests can compare what
 * was extracted with what the node served. Values are JSON-RPC ready (hex strings); optional fields
 * are null when absent. The chain exercises what the extractor must handle: blocks without
 * transactions, contract creations ({@code to} null), legacy and EIP-1559 transactions, blocks
 * before London (no base fee), values above 64 bits, logs with 0 to 4 topics and empty data.
 */
public final class SyntheticChain {
  /** Blocks before this one have no base fee (as before the London fork). */
  public static final long LONDON = 50;

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

  public record Block(
      long number,
      String hash,
      String parentHash,
      long timestamp,
      String miner,
      String stateRoot,
      String transactionsRoot,
      String receiptsRoot,
      long gasUsed,
      long gasLimit,
      BigInteger baseFeePerGas,
      BigInteger difficulty,
      long size,
      String extraData,
      List<Tx> transactions,
      List<Log> logs) {}

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
      String input,
      int type) {}

  public record Log(
      int txIndex, String txHash, int logIndex, String address, List<String> topics, String data) {}

  public Block block(long n) {
    int txCount = (int) (mix(n, 1, 0) % 9); // 0..8, mean 4
    List<Tx> txs = new ArrayList<>(txCount);
    List<Log> logs = new ArrayList<>();
    for (int i = 0; i < txCount; i++) {
      Tx tx = tx(n, i);
      txs.add(tx);
      int logCount = (int) (mix(n, 2, i) % 4);
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
    return new Block(
        n,
        blockHash(n),
        n == 0 ? ZERO_HASH : blockHash(n - 1),
        1_600_000_000L + 12 * n,
        address(5, r % 64),
        hash(n, 11, 0),
        hash(n, 12, 0),
        hash(n, 13, 0),
        21_000L * txCount + (r >>> 40),
        30_000_000L,
        n < LONDON ? null : BigInteger.valueOf(1_000_000_000L + (r >>> 34)),
        n % 100 == 7
            ? BigInteger.TWO.pow(100).add(BigInteger.valueOf(n))
            : BigInteger.valueOf(r >>> 20),
        500L + 120L * txCount,
        bytes(n, 14, 0, (int) (r % 33)),
        txs,
        logs);
  }

  private Tx tx(long n, int i) {
    long r = mix(n, 6, i);
    boolean eip1559 = (r & 1) == 1 && n >= LONDON;
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
    return new Tx(
        i,
        hash(n, 15, i),
        address(16, (r >>> 4) % 500),
        (r % 10) == 3 ? null : address(17, (r >>> 12) % 300),
        (r >>> 20) % 1000,
        value,
        21_000L + (r >>> 44),
        BigInteger.valueOf(1_000_000_000L + (r >>> 37)),
        maxFee,
        maxPriority,
        bytes(n, 18, i, (int) ((r >>> 28) % 69)),
        eip1559 ? 2 : 0);
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
