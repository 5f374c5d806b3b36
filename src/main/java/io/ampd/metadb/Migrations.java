package io.ampd.metadb;

import io.ampd.config.PgUrl;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Schema migrations (Flyway, history table {@code _amp_migrations}).
 *
 * <p>STUB: signatures agreed; implementation pending.
 */
public final class Migrations {
  private Migrations() {}

  /**
   * Applies pending migrations, printing each applied one and the final version (or that the
   * schema was already up to date) to {@code out}. Errors are {@link io.ampd.AmpdException}s
   * with DESIGN.md's messages and hints.
   */
  public static SchemaStatus migrate(PgUrl url, Consumer<String> out) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Reads the current schema version without changing anything. */
  public static SchemaStatus status(DataSource dataSource) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /**
   * At role start: migrates when {@code autoMigrate}, otherwise refuses a schema with pending
   * migrations ({@code metadata database schema is at version N, this ampd needs M}).
   */
  public static SchemaStatus ensureCurrent(
      PgUrl url, DataSource dataSource, boolean autoMigrate, String configHint) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
