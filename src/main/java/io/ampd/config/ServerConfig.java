package io.ampd.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code [server]}: the limits of the query server's engine.
 *
 * @param queryTimeout how long a query may run, its streaming included
 * @param maxMemMb memory for all queries together, MiB; 0: a quarter of the machine's memory
 * @param queryMaxMemMb memory for one query's operators, MiB; 0: {@code maxMemMb}
 * @param threads engine threads; 0: one per processor
 * @param maxConcurrentQueries queries running at once; one more is refused
 * @param spillDir where a query beyond its memory writes temporary files (absolute)
 */
public record ServerConfig(
    Duration queryTimeout,
    int maxMemMb,
    int queryMaxMemMb,
    int threads,
    int maxConcurrentQueries,
    Path spillDir) {}
