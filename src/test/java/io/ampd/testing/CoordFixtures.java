package io.ampd.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.ControllerConfig;
import io.ampd.config.PgUrl;
import io.ampd.config.WorkerConfig;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.metadb.ProviderRepository;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.ProviderParser;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A migrated metadata database with providers and datasets registered through the registry's own
 * repositories, for the tests of jobs, workers and scheduling.
 */
public final class CoordFixtures implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Fast settings: a worker is dead after 2 s, retries after 200 ms doubling up to 1 s. */
  public static final ControllerConfig CONTROLLER =
      new ControllerConfig(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1));

  public static final WorkerConfig WORKER =
      new WorkerConfig(Duration.ofMillis(200), Duration.ofMillis(300), 100);

  public final PgUrl url;
  public final MetadataDb db;

  private CoordFixtures(PgUrl url, MetadataDb db) {
    this.url = url;
    this.db = db;
  }

  /** A fresh database at the latest schema. */
  public static CoordFixtures create(String prefix) {
    PgUrl url = TestPostgres.shared().createDatabase(prefix);
    Migrations.migrate(url, line -> {});
    return new CoordFixtures(url, MetadataDb.open(url, 8, "test " + prefix));
  }

  /** Registers provider {@code name} of {@code network}. */
  public void provider(String name, String network) {
    try {
      new ProviderRepository(db.dataSource())
          .upsert(
              ProviderParser.parse(
                  JSON.readTree(
                      "{\"name\":\""
                          + name
                          + "\",\"kind\":\"evm-rpc\",\"network\":\""
                          + network
                          + "\",\"url\":\"http://user:secret@127.0.0.1:1/\"}")));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Registers {@code ns/name@version} with a manifest of {@code network}, blocks 0 to 99. */
  public DatasetRef dataset(String ns, String name, String version, String network) {
    try {
      return new DatasetRepository(db.dataSource())
          .register(
              DatasetRegistration.parse(
                  JSON.readTree(
                      "{\"namespace\":\""
                          + ns
                          + "\",\"name\":\""
                          + name
                          + "\",\"version\":\""
                          + version
                          + "\",\"manifest\":{\"kind\":\"evm-rpc\",\"network\":\""
                          + network
                          + "\",\"start_block\":0,\"end_block\":99}}")))
          .dataset()
          .ref();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a statement as the superuser. */
  public void execute(String sql) {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The first column of every row of {@code sql}, as strings. */
  public List<String> column(String sql) {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Polls {@code condition} every 20 ms until true; fails after {@code timeout}. */
  public static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    db.close();
  }
}
