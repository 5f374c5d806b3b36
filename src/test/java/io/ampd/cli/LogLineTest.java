package io.ampd.cli;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class LogLineTest {
  private final LoggerContext context = new LoggerContext();

  private String layout(String logger, Level level, String message, Throwable thrown, long millis) {
    LoggingEvent event =
        new LoggingEvent(
            "fqcn", context.getLogger(logger), level, message, thrown, new Object[] {"x"});
    event.setTimeStamp(millis);
    LogLine line = new LogLine();
    line.setContext(context);
    line.start();
    return line.doLayout(event);
  }

  @Test
  void writesLocalTimeLevelSimpleLoggerNameAndMessage() {
    long millis = Instant.parse("2026-03-04T05:06:07.089Z").toEpochMilli();
    String time =
        LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault())
            .format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS"));
    assertEquals(
        time + " INFO  Daemon: ready in x ms" + System.lineSeparator(),
        layout("io.ampd.app.Daemon", Level.INFO, "ready in {} ms", null, millis));
    assertEquals(
        time + " WARN  plain: a" + System.lineSeparator(),
        layout("plain", Level.WARN, "a", null, millis));
    assertEquals(
        time + " ERROR HikariPool: b" + System.lineSeparator(),
        layout("com.zaxxer.hikari.pool.HikariPool", Level.ERROR, "b", null, millis));
  }

  @Test
  void padsEveryFieldOfTheTime() {
    long midnight =
        LocalDateTime.parse("2026-01-02T00:00:00.007")
            .atZone(ZoneId.systemDefault())
            .toInstant()
            .toEpochMilli();
    assertTrue(
        layout("a.B", Level.DEBUG, "m", null, midnight).startsWith("00:00:00.007 DEBUG B: m"));
    assertTrue(
        layout("a.B", Level.TRACE, "m", null, midnight + 13 * 3_600_000L + 5 * 60_000 + 9_093)
            .startsWith("13:05:09.100 TRACE B: m"));
  }

  @Test
  void appendsTheStackTraceOfAnErrorsException() {
    String text = layout("a.B", Level.ERROR, "failed", new IllegalStateException("boom"), 0L);
    String[] lines = text.split(System.lineSeparator());
    assertTrue(lines[0].endsWith(" ERROR B: failed"), lines[0]);
    assertEquals("java.lang.IllegalStateException: boom", lines[1]);
    assertTrue(lines[2].startsWith("\tat io.ampd.cli.LogLineTest."), lines[2]);
  }

  @Test
  void keepsAWarningsExceptionOnItsLine() {
    Exception thrown =
        new java.sql.SQLException(
            "An I/O error occurred\nwhile sending",
            new java.net.SocketTimeoutException("Read timed out"));
    String text = layout("a.B", Level.WARN, "broken", thrown, 0L);
    assertTrue(
        text.endsWith(
            " WARN  B: broken (SQLException: An I/O error occurred while sending; caused by"
                + " SocketTimeoutException: Read timed out)"
                + System.lineSeparator()),
        text);
    assertEquals(1, text.split(System.lineSeparator()).length, text);
  }
}
