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
 * @param env the environment of this process as the composition root read it; the supervisor
 *     uses {@code PATH}, {@code HOME}, {@code XDG_CACHE_HOME} and {@code XDG_RUNTIME_DIR}
 * @param host facts about this process and machine ({@link Host#current()})
 */
public record PostgresSettings(
    Path dataDir,
    Optional<String> binDir,
    Optional<String> osUser,
    Map<String, String> serverSettings,
    Optional<Path> cacheDir,
    Duration startTimeout,
    Duration stopTimeout,
    Map<String, String> env,
    Host host) {

  /** Default deadline for PostgreSQL to become ready. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  /** Default deadline for a fast shutdown before it is escalated. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

  public PostgresSettings {
    dataDir = dataDir.toAbsolutePath().normalize();
    serverSettings = Map.copyOf(serverSettings);
    env = Map.copyOf(env);
  }

  /**
   * The agreed seven-argument form: no environment (no {@code PATH} search, no per-user cache
   * unless {@code cacheDir} is given) and the host read from this JVM.
   */
  public PostgresSettings(
      Path dataDir,
      Optional<String> binDir,
      Optional<String> osUser,
      Map<String, String> serverSettings,
      Optional<Path> cacheDir,
      Duration startTimeout,
      Duration stopTimeout) {
    this(
        dataDir,
        binDir,
        osUser,
        serverSettings,
        cacheDir,
        startTimeout,
        stopTimeout,
        Map.of(),
        Host.current());
  }

  /** Settings with every default: search for binaries, default user and timeouts. */
  public static PostgresSettings defaults(Path dataDir, Map<String, String> env, Host host) {
    return new PostgresSettings(
        dataDir,
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        Optional.empty(),
        DEFAULT_START_TIMEOUT,
        DEFAULT_STOP_TIMEOUT,
        env,
        host);
  }

  public PostgresSettings withBinDir(String dir) {
    return new PostgresSettings(
        dataDir, Optional.of(dir), osUser, serverSettings, cacheDir, startTimeout, stopTimeout,
        env, host);
  }

  public PostgresSettings withCacheDir(Path dir) {
    return new PostgresSettings(
        dataDir, binDir, osUser, serverSettings, Optional.of(dir), startTimeout, stopTimeout,
        env, host);
  }

  public PostgresSettings withServerSettings(Map<String, String> settings) {
    return new PostgresSettings(
        dataDir, binDir, osUser, settings, cacheDir, startTimeout, stopTimeout, env, host);
  }

  public PostgresSettings withDataDir(Path dir) {
    return new PostgresSettings(
        dir, binDir, osUser, serverSettings, cacheDir, startTimeout, stopTimeout, env, host);
  }
}
