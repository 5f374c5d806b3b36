package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
  private PgUrl url;
  private MetadataDb db;

  @BeforeEach
  void createDatabase() {
    url = TestDb.createDatabase();
  }

  @AfterEach
  void closePool() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void freshDatabaseGetsEveryMigrationThenTheFinalVersion() {
    List<String> out = new ArrayList<>();

    SchemaStatus status = Migrations.migrate(url, out::add);

    assertEquals(new SchemaStatus(Migrations.LATEST_VERSION, Migrations.LATEST_VERSION), status);
    assertEquals(Migrations.LATEST_VERSION + 1, out.size(), out.toString());
    assertTrue(out.get(0).matches("applied migration 1: initial schema \\(\\d+ ms\\)"), out.get(0));
    assertEquals(
        "metadata database schema is at version " + Migrations.LATEST_VERSION,
        out.get(out.size() - 1));
  }

  @Test
  void secondRunAppliesNothing() {
    Migrations.migrate(url, line -> {});
    List<String> out = new ArrayList<>();

    SchemaStatus status = Migrations.migrate(url, out::add);

    assertTrue(status.upToDate());
    assertEquals(
        List.of(
            "metadata database schema is already up to date (version "
                + Migrations.LATEST_VERSION
                + ")"),
        out);
    assertEquals(1, count("SELECT count(*) FROM _amp_migrations WHERE version = '1'"));
  }

  @Test
  void schemaHasItsTablesAndConstraints() throws SQLException {
    Migrations.migrate(url, line -> {});

    for (String table :
        List.of(
            "workers",
            "providers",
            "manifests",
            "datasets",
            "jobs",
            "job_events",
            "table_revisions",
            "files",
            "extraction_progress",
            "job_progress")) {
      assertEquals(
          1, count("SELECT count(*) FROM pg_tables WHERE tablename = '" + table + "'"), table);
    }
    execute("INSERT INTO workers (node_id) VALUES ('worker-1.a_b')");
    execute("INSERT INTO manifests (hash, kind, content) VALUES ('h1', 'evm-rpc', '{}')");
    execute(
        "INSERT INTO datasets (namespace, name, version, manifest_hash)"
            + " VALUES ('ns', 'eth', '1.0.0', 'h1')");
    execute(
        "INSERT INTO jobs (idempotency_key, node_id, dataset_namespace, dataset_name,"
            + " dataset_version) VALUES ('k1', 'worker-1.a_b', 'ns', 'eth', '1.0.0')");

    assertEquals("23514", sqlState("UPDATE jobs SET status = 'BOGUS'"));
    assertEquals("23514", sqlState("INSERT INTO workers (node_id) VALUES ('1worker')"));
    assertEquals(
        "23503",
        sqlState(
            "INSERT INTO jobs (idempotency_key, dataset_namespace,"
                + " dataset_name, dataset_version) VALUES ('k2', 'ns', 'eth', '9.9.9')"));
    assertEquals(
        "23505",
        sqlState(
            "INSERT INTO jobs (idempotency_key, dataset_namespace,"
                + " dataset_name, dataset_version) VALUES ('k1', 'ns', 'eth', '1.0.0')"));
    execute("UPDATE jobs SET status = 'RUNNING'");

    execute(
        "INSERT INTO table_revisions (dataset_namespace, dataset_name, dataset_version,"
            + " table_name, path, active) VALUES ('ns', 'eth', '1.0.0', 'blocks', 'r1', true)");
    assertEquals(
        "23505",
        sqlState(
            "INSERT INTO table_revisions (dataset_namespace,"
                + " dataset_name, dataset_version, table_name, path, active)"
                + " VALUES ('ns', 'eth', '1.0.0', 'blocks', 'r2', true)"));
    execute(
        "INSERT INTO table_revisions (dataset_namespace, dataset_name, dataset_version,"
            + " table_name, path, active) VALUES ('ns', 'eth', '1.0.0', 'blocks', 'r2', false)");

    execute(
        "INSERT INTO files (revision_id, file_name, size_bytes, row_count, block_start, block_end)"
            + " SELECT id, 'f.parquet', 10, 1, 5, 9 FROM table_revisions WHERE path = 'r1'");
    assertEquals(
        "23514",
        sqlState(
            "INSERT INTO files (revision_id, file_name, size_bytes,"
                + " row_count, block_start, block_end)"
                + " SELECT id, 'g.parquet', 10, 1, 9, 5 FROM table_revisions WHERE path = 'r1'"));
    execute(
        "INSERT INTO job_events (job_id, node_id, event_type) SELECT id, 'worker-1.a_b',"
            + " 'RUNNING' FROM jobs");
    assertEquals("23001", sqlState("UPDATE job_events SET event_type = 'X'"));

    execute("DELETE FROM table_revisions WHERE path = 'r1'");
    assertEquals(0, count("SELECT count(*) FROM files"));
  }

  @Test
  void editedReleasedMigrationIsAChecksumMismatch(@TempDir Path dir) throws IOException {
    Migrations.migrate(url, line -> {});
    copyReleased(dir);
    Files.writeString(
        dir.resolve("V1__initial_schema.sql"),
        releasedMigration("V1__initial_schema.sql") + "\n-- edited\n");

    AmpdException e =
        assertThrows(
            AmpdException.class,
            () ->
                Migrations.migrate(
                    url, line -> {}, Migrations.LATEST_VERSION, "filesystem:" + dir));

    assertEquals("migration checksum mismatch for version 1", e.getMessage());
    assertEquals(
        "restore the original migration file (released migrations are never edited),"
            + " or restore the database from a backup",
        e.hint());
  }

  /**
   * An existing install stores Flyway's checksum of V1 as first released (the file at commit
   * a61c0c1 of this repository, whose SHA-256 MigrationChecksumPinTest keeps): the database is
   * migrated, then version 1's stored checksum set back to that value, as such an install has it.
   */
  @Test
  void databaseThatAppliedTheReleasedV1TakesItsRewordedComment(@TempDir Path dir)
      throws IOException {
    SchemaHistory.Reworded v1 = SchemaHistory.REWORDED.get(0);
    Files.writeString(
        dir.resolve("V1__initial_schema.sql"), releasedMigration("V1__initial_schema.sql"));
    Migrations.migrate(url, line -> {}, 1, "filesystem:" + dir);
    execute(
        "UPDATE _amp_migrations SET checksum = " + v1.releasedChecksum() + " WHERE version = '1'");
    assertEquals(v1.releasedChecksum(), storedChecksum(1), "what an existing install stores");

    List<String> out = new ArrayList<>();
    SchemaStatus status = Migrations.migrate(url, out::add);

    assertEquals(new SchemaStatus(Migrations.LATEST_VERSION, Migrations.LATEST_VERSION), status);
    assertEquals(Migrations.LATEST_VERSION, out.size(), out.toString());
    assertEquals(v1.checksum(), storedChecksum(1));
    out.clear();
    Migrations.migrate(url, out::add);
    assertEquals(
        List.of(
            "metadata database schema is already up to date (version "
                + Migrations.LATEST_VERSION
                + ")"),
        out);
  }

  @Test
  void currentV1HasTheRewordedChecksum() {
    Migrations.migrate(url, line -> {});

    assertEquals(SchemaHistory.REWORDED.get(0).checksum(), storedChecksum(1));
  }

  @Test
  void v1StoredWithAnyOtherChecksumIsStillAMismatch() {
    Migrations.migrate(url, line -> {});
    execute("UPDATE _amp_migrations SET checksum = checksum + 1 WHERE version = '1'");

    AmpdException e = assertThrows(AmpdException.class, () -> Migrations.migrate(url, line -> {}));

    assertEquals("migration checksum mismatch for version 1", e.getMessage());
  }

  private int storedChecksum(int version) {
    return (int) count("SELECT checksum FROM _amp_migrations WHERE version = '" + version + "'");
  }

  @Test
  void schemaNewerThanThisAmpdIsRefused(@TempDir Path dir) throws IOException {
    copyReleased(dir);
    Files.writeString(
        dir.resolve("V" + FUTURE + "__from_the_future.sql"), "CREATE TABLE future (id int);\n");
    Migrations.migrate(url, line -> {}, FUTURE, "filesystem:" + dir);

    AmpdException e = assertThrows(AmpdException.class, () -> Migrations.migrate(url, l -> {}));

    assertEquals(
        "metadata database schema is at version "
            + FUTURE
            + ", newer than this ampd supports ("
            + Migrations.LATEST_VERSION
            + ")",
        e.getMessage());
    assertEquals("upgrade ampd to a version that knows schema " + FUTURE, e.hint());
    db = MetadataDb.open(url, 2, "test");
    AmpdException atStart =
        assertThrows(
            AmpdException.class,
            () -> Migrations.ensureCurrent(url, db.dataSource(), true, "amp.toml"));
    assertEquals(e.getMessage(), atStart.getMessage());
  }

  @Test
  void flywayAloneRefusesTheNewerSchemaToo(@TempDir Path dir) throws IOException {
    copyReleased(dir);
    Files.writeString(
        dir.resolve("V" + FUTURE + "__from_the_future.sql"), "CREATE TABLE future (id int);\n");
    Migrations.migrate(url, line -> {}, FUTURE, "filesystem:" + dir);
    db = MetadataDb.open(url, 2, "test");

    AmpdException e =
        assertThrows(
            AmpdException.class,
            () ->
                FlywayRunner.migrate(
                    url, db.dataSource(), Migrations.LATEST_VERSION, Migrations.LOCATION));

    assertEquals(
        "metadata database schema is at version "
            + FUTURE
            + ", newer than this ampd supports ("
            + Migrations.LATEST_VERSION
            + ")",
        e.getMessage());
  }

  @Test
  void ensureCurrentRefusesPendingMigrationsWithoutAutoMigrate() {
    db = MetadataDb.open(url, 2, "test");

    AmpdException e =
        assertThrows(
            AmpdException.class,
            () -> Migrations.ensureCurrent(url, db.dataSource(), false, "/etc/amp/config.toml"));

    assertEquals(
        "metadata database schema is at version 0, this ampd needs " + Migrations.LATEST_VERSION,
        e.getMessage());
    assertEquals(
        "run 'ampd --config /etc/amp/config.toml migrate' or set auto_migrate = true", e.hint());
    assertEquals(
        new SchemaStatus(0, Migrations.LATEST_VERSION), Migrations.status(db.dataSource()));
  }

  @Test
  void ensureCurrentMigratesWithAutoMigrateThenTakesTheFastPath() {
    db = MetadataDb.open(url, 2, "test");

    SchemaStatus current = new SchemaStatus(Migrations.LATEST_VERSION, Migrations.LATEST_VERSION);
    assertEquals(current, Migrations.ensureCurrent(url, db.dataSource(), true, "amp.toml"));
    assertEquals(current, Migrations.ensureCurrent(url, db.dataSource(), false, "amp.toml"));
    assertEquals(current, Migrations.status(db.dataSource()));
  }

  /** A version after every released one. */
  private static final int FUTURE = Migrations.LATEST_VERSION + 1;

  /** Copies every released migration into {@code dir}. */
  static void copyReleased(Path dir) throws IOException {
    for (int v = 1; v <= Migrations.LATEST_VERSION; v++) {
      String prefix = "V" + v + "__";
      for (String name : RELEASED_NAMES) {
        if (name.startsWith(prefix)) {
          Files.writeString(dir.resolve(name), releasedMigration(name));
        }
      }
    }
  }

  private static final java.util.List<String> RELEASED_NAMES =
      java.util.List.of("V1__initial_schema.sql", "V2__job_scheduling.sql");

  static String releasedMigration(String name) throws IOException {
    try (InputStream in =
        Migrations.class.getClassLoader().getResourceAsStream("db/migration/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private void execute(String sql) {
    TestDb.execute(url, sql);
  }

  private String sqlState(String sql) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> execute(sql));
    return ((SQLException) e.getCause()).getSQLState();
  }

  private long count(String sql) {
    try (MetadataDb counting = MetadataDb.open(url, 1, "test");
        Connection c = counting.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
