package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetadataDbTest {

  @Test
  void openPingAndCloseTwice() throws SQLException {
    PgUrl url = TestDb.createDatabase();
    MetadataDb db = MetadataDb.open(url, 3, "ampd-test");
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT current_setting('application_name')")) {
      rows.next();
      assertEquals("ampd-test", rows.getString(1));
      db.ping();
      assertTrue(db.isHealthy());
    } finally {
      db.close();
      db.close();
    }
    assertFalse(db.isHealthy());
  }

  @Test
  void aStatementTheServerDoesNotAnswerWithinTheNetworkTimeoutFails() throws SQLException {
    PgUrl url = TestDb.createDatabase();
    try (MetadataDb db = MetadataDb.open(url, 1, "ampd-test", Duration.ofSeconds(1))) {
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        // The server says nothing for 3 s: the session gives up after 1 s.
        SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(3)"));
        assertTrue(new MetadbException(e).unavailable(), e.toString());
      }
      // The pool replaces the broken connection.
      db.ping();
    }
    try (MetadataDb unbounded = MetadataDb.open(url, 1, "ampd-test");
        Connection c = unbounded.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertTrue(s.execute("SELECT pg_sleep(1.5)"));
    }
  }

  @Test
  void aConnectionWaitsForAFreeOneOnlyAsLongAsItIsTold() throws SQLException {
    PgUrl url = TestDb.createDatabase();
    try (MetadataDb db = MetadataDb.open(url, 1, "ampd-test", Duration.ofSeconds(30));
        Connection held = db.dataSource().getConnection()) {
      long start = System.nanoTime();
      SQLException e =
          assertThrows(SQLException.class, () -> db.connection(Duration.ofMillis(300)));
      assertTrue(new MetadbException(e).unavailable(), e.toString());
      assertEquals(
          "no connection within 300 ms: the database does not answer, or all 1 pooled"
              + " connections are busy",
          e.getMessage());
      // Not the pool's 30 s (generous bound: the machine may be busy).
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
      assertFalse(held.isClosed());
    }
  }

  @Test
  void openFailsAtOnceWithTheRedactedUrl() throws IOException {
    PgUrl url =
        PgUrl.parse(
            "postgresql://alice:s3cret@127.0.0.1:" + MigrationErrorsTest.closedPort() + "/amp");

    AmpdException e = assertThrows(AmpdException.class, () -> MetadataDb.open(url, 10, "x"));

    assertEquals(
        "failed to connect to metadata database (" + url.redacted() + "): Connection refused",
        e.getMessage());
    assertEquals("check metadata_db.url; try: psql \"" + url.psqlUrl() + "\"", e.hint());
  }

  @Test
  void missingDatabaseIsAConnectionFailure() {
    PgUrl existing = TestDb.createDatabase();
    PgUrl url =
        PgUrl.unixSocket(
            existing.socketDir().orElseThrow(), existing.port(), "no_such_db", existing.user());

    AmpdException e = assertThrows(AmpdException.class, () -> MetadataDb.open(url, 1, "x"));

    assertEquals(
        "failed to connect to metadata database ("
            + url.redacted()
            + "): database \"no_such_db\" does not exist",
        e.getMessage());
  }
}
