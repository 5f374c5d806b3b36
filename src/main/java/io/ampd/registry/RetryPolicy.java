package io.ampd.registry;

import java.time.Duration;

/**
 * How a provider's requests are retried on transient errors (connection failures, timeouts, HTTP
 * 5xx, JSON-RPC server errors): up to {@code maxAttempts} tries in all, waiting {@code
 * initialBackoff}, doubling up to {@code maxBackoff}, with jitter. HTTP 429 uses no try: the
 * request waits as the node asks (see {@code extract.RpcClient}).
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {}
