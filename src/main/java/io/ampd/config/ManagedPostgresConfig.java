package io.ampd.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code [metadata_db.managed]}: how solo runs its own PostgreSQL.
 *
 * @param binDir directory holding {@code initdb} and {@code postgres}, or the word {@code bundled};
 *     empty: search (PATH, well-known dirs, bundled)
 * @param osUser OS user PostgreSQL runs as when ampd runs as root; empty: {@code postgres} where it
 *     exists
 * @param serverSettings extra {@code postgresql.conf} settings passed as {@code -c key=value}
 * @param startTimeout how long to wait for PostgreSQL to accept connections
 * @param stopTimeout how long a fast shutdown may take before it is escalated
 */
public record ManagedPostgresConfig(
    Optional<String> binDir,
    Optional<String> osUser,
    Map<String, String> serverSettings,
    Duration startTimeout,
    Duration stopTimeout) {}
