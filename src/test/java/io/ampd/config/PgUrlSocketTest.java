package io.ampd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ampd.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connects through {@link PgUrl#jdbcUrl()} and {@link PgUrl#jdbcProperties()} to a real PostgreSQL
 * listening only on a Unix socket, proving the junixsocket settings work.
 */
@ExtendWith(TestPostgres.class)
class PgUrlSocketTest {

  private static String whoAmI(PgUrl url) throws Exception {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_user || '|' || current_database() || '|'"
                    + " || current_setting('application_name')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void connectsWithHostParameter(TestPostgres pg) throws Exception {
    Path dir = pg.socketDir();
    PgUrl url =
        PgUrl.parse("postgresql://postgres@/postgres?host=" + dir + "&port=5432&connect_timeout=5")
            .withDefaultApplicationName("pgurl-test");
    assertEquals("postgres|postgres|pgurl-test", whoAmI(url));
  }

  @Test
  void connectsWithPercentEncodedSocketDirAndPassword(TestPostgres pg) throws Exception {
    pg.createRole("pgurl_user", "pa:ss@word");
    String host = Percent.encode(pg.socketDir().toString(), "");
    PgUrl url = PgUrl.parse("postgres://pgurl_user:pa%3Ass%40word@" + host + ":5432/template1");
    assertEquals("pgurl_user|template1|PostgreSQL JDBC Driver", whoAmI(url));
  }

  @Test
  void connectsWithUnixSocketFactory(TestPostgres pg) throws Exception {
    PgUrl url = PgUrl.unixSocket(pg.socketDir(), 5432, "postgres", "postgres");
    assertEquals("postgres|postgres|PostgreSQL JDBC Driver", whoAmI(url));
  }
}
