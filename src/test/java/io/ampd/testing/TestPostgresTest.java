package io.ampd.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.PgUrl;
import io.ampd.postgres.PostgresSupervisor;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPostgres.class)
class TestPostgresTest {

  @Test
  void sharedPostgresHandsOutFreshDatabases(TestPostgres pg) throws Exception {
    assertEquals(PostgresSupervisor.State.READY, pg.supervisor().state());
    assertTrue(Files.exists(pg.socketDir().resolve(".s.PGSQL.5432")));
    PgUrl a = pg.createDatabase("Some-Test");
    PgUrl b = pg.createDatabase("Some-Test");
    assertTrue(!a.database().equals(b.database()), a.database());
    try (Connection c = DriverManager.getConnection(a.jdbcUrl(), a.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database(), current_user")) {
      rs.next();
      assertEquals(a.database(), rs.getString(1));
      assertEquals("postgres", rs.getString(2));
    }
    pg.createRole("tp_role_" + ProcessHandle.current().pid(), "s3cret");
    PgUrl asRole = pg.url(a.database(), "tp_role_" + ProcessHandle.current().pid(), "s3cret");
    try (Connection c = DriverManager.getConnection(asRole.jdbcUrl(), asRole.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_user")) {
      rs.next();
      assertEquals("tp_role_" + ProcessHandle.current().pid(), rs.getString(1));
    }
  }

  @Test
  void tempDirsAreReachableByOtherUsers() throws Exception {
    var dir = TempDirs.create("tp");
    assertEquals("rwxr-xr-x",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }
}
