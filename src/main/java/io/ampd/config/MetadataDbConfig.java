package io.ampd.config;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code [metadata_db]}.
 *
 * @param url the external database; empty in solo means a managed PostgreSQL
 * @param poolSize HikariCP maximum pool size, at least 1
 * @param autoMigrate apply pending migrations at start (default true in solo, false elsewhere)
 * @param networkTimeout how long a role's session waits for the server to answer (pgjdbc's {@code
 *     socketTimeout}) before the connection is given up
 */
public record MetadataDbConfig(
    Optional<PgUrl> url,
    int poolSize,
    boolean autoMigrate,
    Duration networkTimeout,
    ManagedPostgresConfig managed) {}
