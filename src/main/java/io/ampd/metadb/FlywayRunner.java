package io.ampd.metadb;

import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * The only class that touches Flyway, so that {@link Migrations}' fast path never loads it.
 *
 * <p>Flyway is configured entirely here: no config files, no environment variables, no reports,
 * telemetry or update checks (flyway-core's OSS telemetry manager is a no-op; reports are off), its
 * log goes to SLF4J.
 */
final class FlywayRunner {
  /** One migration that was applied. */
  record Applied(int version, String description, int millis) {}

  private FlywayRunner() {}

  static Flyway flyway(DataSource dataSource, String... locations) {
    return Flyway.configure(FlywayRunner.class.getClassLoader())
        .configuration(Map.of("flyway.reportEnabled", "false"))
        .loggers("slf4j")
        .dataSource(dataSource)
        .table(SchemaHistory.TABLE)
        .locations(locations)
        .failOnMissingLocations(true)
        .encoding(StandardCharsets.UTF_8)
        .placeholderReplacement(false)
        .baselineOnMigrate(false)
        .validateOnMigrate(true)
        .validateMigrationNaming(true)
        // Nothing ignored: an applied migration unknown here ("future") fails validation.
        .ignoreMigrationPatterns(new String[0])
        .cleanDisabled(true)
        .outOfOrder(false)
        .mixed(false)
        .group(false)
        .executeInTransaction(true)
        .createSchemas(false)
        .load();
  }

  /** Applies pending migrations; errors are mapped to {@link AmpdException}s. */
  static List<Applied> migrate(PgUrl url, DataSource dataSource, int latest, String... locations) {
    Flyway flyway = flyway(dataSource, locations);
    MigrateResult result;
    try {
      result = flyway.migrate();
    } catch (FlywayValidateException e) {
      throw validationFailed(url, flyway, latest, e);
    } catch (FlywayException e) {
      throw MetadbErrors.translate(url, "metadata database migration failed", e);
    }
    List<Applied> applied = new ArrayList<>();
    for (MigrateOutput m : result.migrations) {
      applied.add(new Applied(Integer.parseInt(m.version), m.description, m.executionTime));
    }
    return applied;
  }

  /** Re-runs validation for a structured answer: the exception carries only prose. */
  private static AmpdException validationFailed(
      PgUrl url, Flyway flyway, int latest, FlywayValidateException error) {
    ValidateResult result;
    try {
      result = flyway.validateWithResult();
    } catch (FlywayException e) {
      return MetadbErrors.translate(url, "metadata database schema validation failed", error);
    }
    int newest = 0;
    for (ValidateOutput invalid : result.invalidMigrations) {
      if (invalid.errorDetails != null
          && invalid.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH) {
        return Migrations.checksumMismatch(invalid.version);
      }
      if (invalid.version != null && invalid.version.matches("\\d+")) {
        newest = Math.max(newest, Integer.parseInt(invalid.version));
      }
    }
    if (newest > latest) {
      return Migrations.newerSchema(newest, latest);
    }
    String detail =
        result.invalidMigrations.isEmpty() || result.invalidMigrations.get(0).errorDetails == null
            ? MetadbErrors.cause(url, error)
            : MetadbErrors.oneLine(result.invalidMigrations.get(0).errorDetails.errorMessage);
    return new AmpdException(
        "metadata database schema validation failed: " + MetadbErrors.scrub(url, detail),
        null,
        error);
  }
}
