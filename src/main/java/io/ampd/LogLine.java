package io.ampd;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.util.TimeZone;

/**
 * One log line: {@code HH:mm:ss.SSS LEVEL Logger: message}, local time, the logger's simple name,
 * then the stack trace of an attached exception. It writes what the pattern {@code %d{HH:mm:ss.SSS}
 * %-5level %logger{0}: %msg%n} would, without Logback's pattern parser and its converter table,
 * which cost tens of milliseconds of every start.
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
    line.append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
    }
    return line.toString();
  }

  private static StringBuilder twoDigits(StringBuilder line, long value) {
    return line.append(value < 10 ? "0" : "").append(value);
  }
}
