package io.ampd.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.util.TimeZone;

/**
 * One log line: {@code HH:mm:ss.SSS LEVEL Logger: message}, local time, the logger's simple name.
 * An attached exception follows as its stack trace for an error (or with {@code --verbose}), and on
 * the same line as {@code (Class: message; caused by Class: message)} for anything less. It writes
 * what the pattern {@code %d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n} would, without Logback's
 * pattern parser and its converter table, which cost tens of milliseconds of every start.
 */
final class LogLine extends LayoutBase<ILoggingEvent> {
  private final TimeZone zone = TimeZone.getDefault();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128);
    long millis = event.getTimeStamp();
    long local = millis + zone.getOffset(millis);
    long ofDay = Math.floorMod(local, 86_400_000L);
    twoDigits(line, ofDay / 3_600_000L).append(':');
    twoDigits(line, ofDay / 60_000L % 60).append(':');
    twoDigits(line, ofDay / 1000 % 60).append('.');
    long ms = ofDay % 1000;
    line.append(ms < 100 ? (ms < 10 ? "00" : "0") : "").append(ms).append(' ');
    String level = event.getLevel().toString();
    line.append(level);
    for (int i = level.length(); i < 5; i++) {
      line.append(' ');
    }
    String logger = event.getLoggerName();
    line.append(' ').append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(": ");
    line.append(event.getFormattedMessage());
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null && !event.getLevel().isGreaterOrEqual(Level.ERROR) && !Logging.isVerbose()) {
      // A warning (a library's too: Hikari's for a broken connection) stays one line.
      line.append(" (");
      int depth = 0;
      for (IThrowableProxy t = thrown; t != null && depth < MAX_CAUSES; t = t.getCause()) {
        if (depth++ > 0) {
          line.append("; caused by ");
        }
        String name = t.getClassName();
        line.append(name, name.lastIndexOf('.') + 1, name.length());
        if (t.getMessage() != null) {
          line.append(": ").append(t.getMessage().strip().replaceAll("\\s*\\R\\s*", " "));
        }
      }
      line.append(')');
      thrown = null;
    }
    line.append(CoreConstants.LINE_SEPARATOR);
    if (thrown != null) {
      line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
    }
    return line.toString();
  }

  /** Causes shown in a warning's one line. */
  private static final int MAX_CAUSES = 4;

  private static StringBuilder twoDigits(StringBuilder line, long value) {
    return line.append(value < 10 ? "0" : "").append(value);
  }
}
