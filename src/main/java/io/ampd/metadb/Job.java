package io.ampd.metadb;

import io.ampd.registry.DatasetRef;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of {@code jobs}.
 *
 * @param id the job id
 * @param dataset the dataset version it extracts
 * @param kind the dataset kind ({@code evm-rpc}); picks the worker's runner
 * @param provider the provider chosen at deploy
 * @param nodeId the worker it is assigned to; empty while it waits for a live worker
 * @param status current status
 * @param attempts runs that ended in ERROR so far
 * @param nextAttemptAt when an ERROR job is retried, once the controller has set it
 * @param lastError why the last failed run failed
 * @param createdAt creation time
 * @param updatedAt last change
 */
public record Job(
    long id,
    DatasetRef dataset,
    String kind,
    String provider,
    Optional<String> nodeId,
    JobStatus status,
    int attempts,
    Optional<Instant> nextAttemptAt,
    Optional<String> lastError,
    Instant createdAt,
    Instant updatedAt) {}
