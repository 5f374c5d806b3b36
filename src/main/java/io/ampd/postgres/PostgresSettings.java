package io.ampd.postgres;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What the supervisor needs to run a PostgreSQL cluster.
 *
 * @param dataDir the cluster directory ({@code <amp-dir>/metadb}), created 0700 if missing
 * @param binDir directory with {@code initdb}/{@code postgres}, or {@code bundled}; empty: search
 * @param osUser OS user to run PostgreSQL as when this process is root; empty: default
 * @param serverSettings extra {@code -c key=value} settings
 * @param cacheDir where bundled binaries are unpacked; empty: the per-user default
 * @param startTimeout deadline for PostgreSQL to become ready
 * @param stopTimeout deadline for a fast shutdown before it is escalated
 */
public record PostgresSettings(
    Path dataDir,
    Optional<String> binDir,
    Optional<String> osUser,
    Map<String, String> serverSettings,
    Optional<Path> cacheDir,
    Duration startTimeout,
    Duration stopTimeout) {}
