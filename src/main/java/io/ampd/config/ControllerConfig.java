package io.ampd.config;

import java.time.Duration;

/**
 * {@code [controller]}: scheduling.
 *
 * @param workerTimeout silence after which a worker counts as dead and its jobs move
 * @param retryInitialBackoff wait before the first retry of a job in ERROR (doubles each time)
 * @param retryMaxBackoff longest wait between retries
 */
public record ControllerConfig(
    Duration workerTimeout, Duration retryInitialBackoff, Duration retryMaxBackoff) {}
