package io.ampd.config;

import java.time.Duration;

/**
 * {@code [worker]}: liveness and extraction.
 *
 * @param heartbeatInterval how often the worker records that it is alive
 * @param reconcileInterval how often it re-reads its jobs besides notifications
 * @param segmentBlocks blocks per Parquet file
 * @param progressLogInterval how often each running job logs its progress
 */
public record WorkerConfig(
    Duration heartbeatInterval,
    Duration reconcileInterval,
    int segmentBlocks,
    Duration progressLogInterval) {

  /** How often a running job logs its progress unless configured otherwise. */
  public static final Duration DEFAULT_PROGRESS_LOG_INTERVAL = Duration.ofSeconds(15);

  /** With the default progress log interval. */
  public WorkerConfig(Duration heartbeatInterval, Duration reconcileInterval, int segmentBlocks) {
    this(heartbeatInterval, reconcileInterval, segmentBlocks, DEFAULT_PROGRESS_LOG_INTERVAL);
  }
}
