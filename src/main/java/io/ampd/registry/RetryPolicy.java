package io.ampd.registry;

import java.time.Duration;

/**
 * How a provider's requests are retried on transient errors (connection failures, timeouts, HTTP
 * 429 and 5xx, JSON-RPC server errors): up to {@code maxAttempts} tries in all, waiting {@code
 * initialBackoff}, doubling up to {@code maxBackoff}, with jitter.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {}
