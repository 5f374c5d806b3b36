package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ampd.config.PgUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrentMigrationsTest {
  private static final int MIGRATORS = 5;

  @Test
  void fiveMigratorsAtOnceApplyEachMigrationExactlyOnceAndAllSucceed() throws Exception {
    PgUrl url = TestDb.createDatabase();
    CyclicBarrier start = new CyclicBarrier(MIGRATORS);
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(MIGRATORS);
    try {
      List<Future<SchemaStatus>> results = new ArrayList<>();
      for (int i = 0; i < MIGRATORS; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return Migrations.migrate(url, out::add);
                }));
      }
      for (Future<SchemaStatus> result : results) {
        assertEquals(
            new SchemaStatus(Migrations.LATEST_VERSION, Migrations.LATEST_VERSION),
            result.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    long applied = out.stream().filter(l -> l.startsWith("applied migration ")).count();
    long upToDate = out.stream().filter(l -> l.contains("already up to date")).count();
    assertEquals(Migrations.LATEST_VERSION, applied, out.toString());
    assertEquals(MIGRATORS - 1, upToDate, out.toString());
    try (MetadataDb db = MetadataDb.open(url, 1, "test");
        Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT count(*), count(DISTINCT version), bool_and(success) FROM"
                    + " _amp_migrations")) {
      rows.next();
      assertEquals(Migrations.LATEST_VERSION, rows.getInt(1));
      assertEquals(Migrations.LATEST_VERSION, rows.getInt(2));
      assertEquals(true, rows.getBoolean(3));
    }
  }
}
