package io.ampd.extract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Joins a block and its receipts after checking that they belong together: one receipt per
 * transaction, of that transaction (hash, in block order), of that block (hash), and each log of
 * its receipt's transaction and block. Receipts come from other calls than the block, each answered
 * from the chain the node has at that moment; a mismatch means the chain changed in between (a
 * reorganisation) or a node that serves inconsistent data. Which of the two is the fetcher's call
 * ({@link BlockFetcher}), by the block's distance to the head.
 */
final class Receipts {
  private Receipts() {}

  /** Receipts that do not match their block; the message names the block and what differs. */
  static final class Mismatch extends Exception {
    private static final long serialVersionUID = 1L;

    final long block;

    Mismatch(long block, String what) {
      super("block " + block + ": " + what, null, false, false);
      this.block = block;
    }
  }

  private static final Comparator<EvmReceipt> BY_INDEX =
      Comparator.comparingInt(EvmReceipt::transactionIndex);

  /**
   * The block with its receipts (in transaction order, as Amp sorts them) and their logs.
   *
   * @throws Mismatch when they do not belong together
   */
  static BlockData attach(EvmBlock block, List<EvmReceipt> receipts) throws Mismatch {
    long n = block.number();
    byte[][] txs = block.transactionHashes();
    if (receipts.size() != txs.length) {
      throw new Mismatch(
          n, receipts.size() + " receipt(s) for " + txs.length + " transaction(s)");
    }
    if (txs.length == 0) {
      return new BlockData(block, List.of(), List.of());
    }
    List<EvmReceipt> sorted = receipts;
    for (int i = 1; i < receipts.size(); i++) {
      if (receipts.get(i).transactionIndex() < receipts.get(i - 1).transactionIndex()) {
        sorted = new ArrayList<>(receipts);
        sorted.sort(BY_INDEX);
        break;
      }
    }
    int logCount = 0;
    for (int i = 0; i < txs.length; i++) {
      EvmReceipt r = sorted.get(i);
      if (r.transactionIndex() != i) {
        throw new Mismatch(n, "no receipt of transaction " + i + " (receipt of transaction "
            + r.transactionIndex() + " instead)");
      }
      if (!Arrays.equals(r.transactionHash(), txs[i])) {
        throw new Mismatch(
            n,
            "receipt "
                + i
                + " is of transaction "
                + Hex.encode(r.transactionHash())
                + ", but the block's transaction "
                + i
                + " is "
                + Hex.encode(txs[i]));
      }
      if (r.blockNumber() != n) {
        throw new Mismatch(n, "receipt " + i + " is of block " + r.blockNumber());
      }
      if (!Arrays.equals(r.blockHash(), block.hash())) {
        throw new Mismatch(
            n,
            "receipt "
                + i
                + " is of block hash "
                + Hex.encode(r.blockHash())
                + ", but the block's hash is "
                + Hex.encode(block.hash()));
      }
      for (EvmLog log : r.logs()) {
        if (log.blockNumber() != n
            || !Arrays.equals(log.blockHash(), block.hash())
            || !Arrays.equals(log.transactionHash(), txs[i])
            || log.transactionIndex() != i) {
          throw new Mismatch(
              n,
              "log "
                  + log.logIndex()
                  + " of receipt "
                  + i
                  + " is of block "
                  + log.blockNumber()
                  + " (hash "
                  + Hex.encode(log.blockHash())
                  + ") and transaction "
                  + log.transactionIndex()
                  + " ("
                  + Hex.encode(log.transactionHash())
                  + "), not of its receipt's");
        }
      }
      logCount += r.logs().size();
    }
    List<EvmLog> logs;
    if (logCount == 0) {
      logs = List.of();
    } else {
      EvmLog[] all = new EvmLog[logCount];
      int at = 0;
      for (EvmReceipt r : sorted) {
        for (EvmLog log : r.logs()) {
          all[at++] = log;
        }
      }
      logs = Arrays.asList(all);
    }
    return new BlockData(block, List.copyOf(sorted), logs);
  }
}
