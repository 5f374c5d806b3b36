package io.ampd.extract;

import io.ampd.worker.JobFailedException;
import java.util.Arrays;

/**
 * Checks, for one run of a job, that every block it extracts continues the block before it: its
 * parent hash is that block's hash. A node answers each request from the chain it has at that
 * moment; if the chain changes between two requests (a reorganisation), blocks of two forks would
 * otherwise end up side by side in the files.
 *
 * <ul>
 *   <li>A break inside the segment being written: the segment is abandoned (nothing of it is
 *       recorded) and the job fails transiently, so that it is read again once the node has
 *       settled.
 *   <li>A break at the first block after recorded ones (by this run or an earlier one): the
 *       recorded blocks are on a fork the chain abandoned, deeper than the confirmations the
 *       dataset waits for. Retrying cannot repair recorded files, so the job fails fatally, saying
 *       so.
 * </ul>
 *
 * A resumed run checks its first block against the last recorded one, whose hash is recorded with
 * the progress ({@link #resume}); only progress recorded by an ampd before that (schema version 2)
 * has no hash, and then the first block is not checked.
 */
final class ChainLinks {
  private final int confirmations;
  private long last = -1;
  private byte[] lastHash;
  private long recorded = -1;

  ChainLinks(int confirmations) {
    this.confirmations = confirmations;
  }

  /** Checks {@code block} against the block before it, if this run saw that one. */
  void check(EvmBlock block) throws TransientRpcException, JobFailedException {
    long n = block.number();
    if (lastHash != null && n == last + 1 && !Arrays.equals(block.parentHash(), lastHash)) {
      String link =
          "block "
              + n
              + " (parent hash "
              + Hex.encode(block.parentHash())
              + ") does not continue block "
              + last
              + " (hash "
              + Hex.encode(lastHash)
              + ")";
      if (last <= recorded) {
        throw JobFailedException.fatal(
            link
                + " as recorded: the chain reorganised deeper than the "
                + confirmations
                + " confirmation(s) this dataset waits for, and the blocks recorded up to "
                + last
                + " include blocks of the abandoned fork; nothing after them was recorded",
            null);
      }
      throw new TransientRpcException(
          link
              + " as read just before: the chain changed while it was read (a reorganisation?);"
              + " the segment is abandoned and read again",
          null);
    }
    last = n;
    lastHash = block.hash();
  }

  /**
   * A resumed run: block {@code last}, whose hash is {@code hash}, is recorded; the first block
   * read is checked against it.
   */
  void resume(long last, byte[] hash) {
    this.last = last;
    this.lastHash = hash;
    this.recorded = last;
  }

  /** The hash of the last block checked; null before the first. */
  byte[] lastHash() {
    return lastHash;
  }

  /** Every block checked so far is recorded. */
  void recorded() {
    recorded = last;
  }
}
