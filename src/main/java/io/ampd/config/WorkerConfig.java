package io.ampd.config;

import java.time.Duration;

/**
 * {@code [worker]}: liveness and extraction.
 *
 * @param heartbeatInterval how often the worker records that it is alive
 * @param reconcileInterval how often it re-reads its jobs besides notifications
 * @param segmentBlocks blocks per Parquet file
 */
public record WorkerConfig(
    Duration heartbeatInterval, Duration reconcileInterval, int segmentBlocks) {}
