package io.ampd.metadb;

import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema migrations (Flyway, history table {@code _amp_migrations}, SQL files in {@code
 * db/migration}, versions 1, 2, 3, ...).
 *
 * <p><b>Fast path.</b> Loading and configuring Flyway costs hundreds of milliseconds of class
 * loading and classpath scanning, which the solo warm start cannot afford on every launch. So
 * {@link #ensureCurrent} first reads the history table with one plain query and returns at once
 * when it is at {@link #LATEST_VERSION} with no failed rows; only otherwise is Flyway loaded (all
 * Flyway code sits in {@code FlywayRunner}, which this class never names on the fast path). The
 * fast path does not re-verify checksums: released files never change, which {@code
 * MigrationChecksumPinTest} enforces at build time, and {@code migrate} validates them.
 *
 * <p><b>Concurrency.</b> Several processes may migrate the same database at once (workers starting
 * together with {@code auto_migrate = true}). Each takes a session-level PostgreSQL advisory lock
 * ({@link #MIGRATION_LOCK_KEY}) on its own connection before Flyway starts and holds it until
 * Flyway is done: the first applies every pending migration, the others then find nothing to do.
 * Flyway's own advisory lock would serialize the migrations too, but the first-time creation of the
 * history table races outside it (Flyway retries with 1 s sleeps).
 */
public final class Migrations {
  /** Highest migration version in {@code db/migration}; {@code MigrationChecksumPinTest} checks. */
  public static final int LATEST_VERSION = 5;

  /** Where the released migrations live. */
  static final String LOCATION = "classpath:db/migration";

  /** Key of the advisory lock held while migrating ('amp' 'migr' in ASCII). */
  static final long MIGRATION_LOCK_KEY = 0x616d705f6d696772L;

  /** Application name of the connections {@link #migrate} opens. */
  static final String APPLICATION_NAME = "ampd-migrate";

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /**
   * Applies pending migrations, printing each applied one and the final version (or that the schema
   * was already up to date) to {@code out}. Errors are {@link io.ampd.core.AmpdException}s with the
   * messages and hints of docs/design.md "Migrations".
   */
  public static SchemaStatus migrate(PgUrl url, Consumer<String> out) {
    return migrate(url, out, LATEST_VERSION, LOCATION);
  }

  /** {@link #migrate(PgUrl, Consumer)} from other locations: tests use edited copies. */
  static SchemaStatus migrate(PgUrl url, Consumer<String> out, int latest, String... locations) {
    // Flyway holds two connections (history table, migration); the lock needs a third.
    try (MetadataDb db = MetadataDb.open(url, 3, APPLICATION_NAME);
        MigrationLock lock = MigrationLock.acquire(db.dataSource(), MIGRATION_LOCK_KEY)) {
      SchemaHistory.State before = readHistory(url, db.dataSource());
      if (before.version() > latest) {
        throw newerSchema(before.version(), latest);
      }
      if (before.version() == 0) {
        String schema = SchemaHistory.schemaWithoutCreate(db.dataSource());
        if (schema != null) {
          throw MetadbErrors.permissionDenied(
              url, "permission denied for schema " + schema, schema, null);
        }
      }
      SchemaHistory.realignReworded(db.dataSource());
      List<FlywayRunner.Applied> applied =
          FlywayRunner.migrate(url, db.dataSource(), latest, locations);
      for (FlywayRunner.Applied m : applied) {
        out.accept(
            "applied migration "
                + m.version()
                + ": "
                + m.description()
                + " ("
                + m.millis()
                + " ms)");
      }
      int version = readHistory(url, db.dataSource()).version();
      if (applied.isEmpty()) {
        out.accept("metadata database schema is already up to date (version " + version + ")");
      } else {
        out.accept("metadata database schema is at version " + version);
      }
      return new SchemaStatus(version, latest);
    } catch (SQLException e) {
      throw MetadbErrors.translate(url, "metadata database migration failed", e);
    }
  }

  /** Reads the current schema version without changing anything, and without Flyway. */
  public static SchemaStatus status(DataSource dataSource) {
    try {
      return new SchemaStatus(SchemaHistory.read(dataSource).version(), LATEST_VERSION);
    } catch (SQLException e) {
      throw new AmpdException(
          "failed to read the metadata database schema version: "
              + MetadbErrors.oneLine(String.valueOf(e.getMessage())),
          null,
          e);
    }
  }

  /**
   * At role start: returns at once when the schema is current (without loading Flyway); otherwise
   * migrates when {@code autoMigrate}, or refuses a schema with pending migrations ({@code metadata
   * database schema is at version N, this ampd needs M}).
   *
   * @param url the database, for migrating over connections of its own and for messages
   * @param dataSource the role's pool, for the fast check
   * @param configHint the config path to name in the hint ({@code ampd --config <it> migrate})
   */
  public static SchemaStatus ensureCurrent(
      PgUrl url, DataSource dataSource, boolean autoMigrate, String configHint) {
    SchemaHistory.State state = readHistory(url, dataSource);
    if (state.version() == LATEST_VERSION && state.failed() == 0) {
      return new SchemaStatus(LATEST_VERSION, LATEST_VERSION);
    }
    if (state.version() > LATEST_VERSION) {
      throw newerSchema(state.version(), LATEST_VERSION);
    }
    if (!autoMigrate) {
      throw new AmpdException(
          "metadata database schema is at version "
              + state.version()
              + ", this ampd needs "
              + LATEST_VERSION,
          "run 'ampd --config " + configHint + " migrate' or set auto_migrate = true");
    }
    LOG.info(
        "migrating the metadata database schema from version {} to {}",
        state.version(),
        LATEST_VERSION);
    return migrate(url, LOG::info);
  }

  /**
   * At the first start on a database this process has just created (a new managed cluster):
   * migrates without the fast check first, since there is no schema to find.
   */
  public static SchemaStatus migrateNew(PgUrl url) {
    LOG.info("migrating the new metadata database schema to version {}", LATEST_VERSION);
    return migrate(url, LOG::info);
  }

  private static SchemaHistory.State readHistory(PgUrl url, DataSource dataSource) {
    try {
      return SchemaHistory.read(dataSource);
    } catch (SQLException | RuntimeException e) {
      throw MetadbErrors.translate(url, "failed to read the metadata database schema version", e);
    }
  }

  static AmpdException checksumMismatch(String version) {
    return new AmpdException(
        "migration checksum mismatch for version " + version,
        "restore the original migration file (released migrations are never edited),"
            + " or restore the database from a backup");
  }

  static AmpdException newerSchema(int current, int latest) {
    return new AmpdException(
        "metadata database schema is at version "
            + current
            + ", newer than this ampd supports ("
            + latest
            + ")",
        "upgrade ampd to a version that knows schema " + current);
  }
}
