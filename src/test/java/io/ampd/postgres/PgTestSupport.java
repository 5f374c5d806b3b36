package io.ampd.postgres;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ampd.config.PgUrl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** Helpers for the supervisor tests: settings, SQL, log capture, process waits. */
final class PgTestSupport {
  private PgTestSupport() {}

  static PostgresSettings settings(Path dataDir) {
    return PostgresSettings.defaults(dataDir, System.getenv(), Host.current());
  }

  static List<String> query(PgUrl url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
        Statement s = c.createStatement()) {
      List<String> out = new ArrayList<>();
      if (s.execute(sql)) {
        try (ResultSet rs = s.getResultSet()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    }
  }

  /** Captures what the "postgres" logger (PostgreSQL's own output) says. */
  static ListAppender<ILoggingEvent> capturePostgresLog() {
    Logger logger = (Logger) LoggerFactory.getLogger("postgres");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    return appender;
  }

  static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger("postgres")).detachAppender(appender);
  }

  static boolean logged(ListAppender<ILoggingEvent> appender, String text) {
    synchronized (appender.list) {
      return appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
    }
  }

  /** True once {@code pid} is gone or a zombie, within {@code timeout}. */
  static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ProcFs proc = ProcFs.system();
    while (System.nanoTime() < deadline) {
      if (!proc.isAlive(pid)) {
        return true;
      }
      Thread.sleep(10);
    }
    return !proc.isAlive(pid);
  }

  static void kill(Process p) throws InterruptedException {
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
