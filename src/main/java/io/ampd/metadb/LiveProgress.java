package io.ampd.metadb;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a job's worker publishes about its run between commits (one row of {@code job_progress}).
 * The committed progress is {@link TableProgress}, read from {@code extraction_progress} and {@code
 * files}.
 *
 * @param jobId the job
 * @param nodeId the worker that runs (or ran) it
 * @param startBlock the dataset's first block (its manifest's {@code start_block})
 * @param fetchedBlock last block fetched and written into the segment in progress; empty before the
 *     first. After the run: the last committed block
 * @param targetBlock {@code end_block}, or the confirmed chain head last seen when there is none;
 *     empty until known
 * @param blocksPerSecond blocks fetched per second over the last minute; empty until measured and
 *     after the run
 * @param segment per table, rows and bytes of the segment in progress (not committed yet)
 * @param running whether the run goes on (false once it ended, however it ended)
 * @param updatedAt when the worker last wrote it (the database's clock); null before it is stored
 */
public record LiveProgress(
    long jobId,
    String nodeId,
    long startBlock,
    OptionalLong fetchedBlock,
    OptionalLong targetBlock,
    OptionalDouble blocksPerSecond,
    Map<String, Pending> segment,
    boolean running,
    Instant updatedAt) {

  /** Rows and bytes of one table's segment in progress; bytes are those written so far. */
  public record Pending(long rows, long bytes) {
    public static final Pending NONE = new Pending(0, 0);
  }

  public LiveProgress {
    segment = Collections.unmodifiableMap(new LinkedHashMap<>(segment));
  }

  /**
   * Seconds until {@code fetched} reaches {@code target} at {@code blocksPerSecond}, rounded up: 0
   * when it is there, empty when either is unknown or nothing moves.
   */
  public static OptionalLong etaSeconds(
      OptionalLong fetched, OptionalLong target, OptionalDouble blocksPerSecond, long startBlock) {
    if (target.isEmpty()) {
      return OptionalLong.empty();
    }
    long remaining =
        target.getAsLong() - (fetched.isPresent() ? fetched.getAsLong() : startBlock - 1);
    if (remaining <= 0) {
      return OptionalLong.of(0);
    }
    if (blocksPerSecond.isEmpty() || !(blocksPerSecond.getAsDouble() > 0)) {
      return OptionalLong.empty();
    }
    return OptionalLong.of((long) Math.ceil(remaining / blocksPerSecond.getAsDouble()));
  }

  /** {@link #etaSeconds(OptionalLong, OptionalLong, OptionalDouble, long)} of this run. */
  public OptionalLong etaSeconds() {
    return etaSeconds(fetchedBlock, targetBlock, blocksPerSecond, startBlock);
  }
}
