package io.ampd.bench;

import io.ampd.config.PgUrl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@code SELECT 1} as superuser {@code postgres} over the Unix socket in a dir, with the same
 * pgjdbc + junixsocket settings ampd uses ({@link PgUrl#unixSocket}). Turns itself off, with a
 * note, when that part of ampd is not built yet.
 */
final class SelectOne {
  private final Results results;
  private boolean available = true;

  SelectOne(Results results) {
    this.results = results;
  }

  boolean available() {
    return available;
  }

  void run(Path socketDir) {
    PgUrl url;
    try {
      url = PgUrl.unixSocket(socketDir, PgUrl.DEFAULT_PORT, "postgres", "postgres");
      url.jdbcUrl();
    } catch (UnsupportedOperationException e) {
      available = false;
      results.note("SELECT 1 floor not measured: io.ampd.config.PgUrl is not implemented yet");
      return;
    }
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1")) {
      if (!rs.next() || rs.getInt(1) != 1) {
        throw new BenchException("SELECT 1 over " + socketDir + " did not answer 1", "");
      }
    } catch (SQLException e) {
      throw new BenchException(
          "SELECT 1 over the socket in " + socketDir + " failed", e.toString());
    }
  }
}
