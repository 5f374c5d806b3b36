package io.ampd.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.ampd.core.AmpdException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Logging set up in code (registered as Logback's {@link Configurator} service), which skips
 * Logback's XML parsing on the start path. Everything goes to stderr, one line per event; stdout is
 * left to command output such as {@code migrate}'s report.
 */
public final class Logging extends ContextAwareBase implements Configurator {
  /** Libraries that are chatty at INFO; they log at WARN unless ampd runs verbose. */
  private static final Map<String, Level> QUIET =
      Map.of(
          "com.zaxxer.hikari", Level.WARN,
          "org.flywaydb", Level.WARN,
          "org.postgresql", Level.WARN,
          "org.newsclub", Level.WARN,
          "org.apache.arrow", Level.WARN,
          "io.grpc", Level.WARN,
          "io.netty", Level.WARN);

  private static volatile boolean verbose;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("stderr");
    appender.setTarget("System.err");
    LogLine layout = new LogLine();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.start();
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    root.setLevel(Level.INFO);
    QUIET.forEach((name, level) -> context.getLogger(name).setLevel(level));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Sets the level from {@code --verbose} or {@code AMP_LOG} (error, warn, info, debug, trace).
   *
   * @throws AmpdException for an unknown level name
   */
  public static void setLevel(boolean verboseFlag, String ampLog) {
    Level level = Level.INFO;
    if (ampLog != null && !ampLog.isBlank()) {
      String name = ampLog.trim().toUpperCase(Locale.ROOT);
      if (!java.util.List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(name)) {
        throw new AmpdException(
            "invalid AMP_LOG value '" + ampLog + "'",
            "use one of: error, warn, info, debug, trace");
      }
      level = Level.toLevel(name);
    }
    if (verboseFlag && level.isGreaterOrEqual(Level.INFO)) {
      level = Level.DEBUG;
    }
    verbose = !level.isGreaterOrEqual(Level.INFO);
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level);
      if (verbose) {
        QUIET.keySet().forEach(name -> context.getLogger(name).setLevel(Level.INFO));
      }
    }
  }

  /** True with {@code --verbose} or {@code AMP_LOG=debug|trace}: errors show stack traces. */
  public static boolean isVerbose() {
    return verbose;
  }
}
