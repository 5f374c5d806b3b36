package io.ampd.app;

import io.ampd.core.Json;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and initialises the heavy libraries of a role (pgjdbc, junixsocket with its native library,
 * HikariCP, Jackson) on a background thread while the main thread does what does not need them:
 * setting up logging, parsing the command line and config, binding the admin API, starting
 * PostgreSQL. On a cold JVM that is a few hundred milliseconds taken off the start path. Failures
 * are ignored here: the real use reports them.
 */
final class Preload {
  private static final Logger log = LoggerFactory.getLogger(Preload.class);

  private static final List<String> CLASSES =
      List.of(
          "org.postgresql.Driver",
          "org.postgresql.core.v3.ConnectionFactoryImpl",
          "org.postgresql.jdbc.PgConnection",
          "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg",
          "org.newsclub.net.unix.AFUNIXSocket",
          "com.zaxxer.hikari.HikariDataSource",
          "com.zaxxer.hikari.pool.HikariPool",
          "com.fasterxml.jackson.databind.ObjectMapper");

  private Preload() {}

  /** True for commands that talk to the database; not for {@code --help} or {@code --version}. */
  static boolean worthIt(String[] args) {
    boolean command = false;
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h") || arg.equals("--version") || arg.equals("-V")) {
        return false;
      }
      command |=
          arg.equals("solo")
              || arg.equals("controller")
              || arg.equals("server")
              || arg.equals("worker")
              || arg.equals("migrate");
    }
    return command;
  }

  static void start() {
    start("preload", Preload::run);
  }

  /**
   * Loads Flyway and scans the migrations, for a start that will migrate (a new cluster): that
   * overlaps with initdb, which runs in another process.
   */
  static void startFlyway() {
    start(
        "preload-flyway",
        () -> {
          try {
            org.flywaydb.core.Flyway.configure().locations("classpath:db/migration").load().info();
          } catch (Throwable e) {
            // no database configured: loading and scanning is all that was wanted
            log.trace("flyway preload: {}", e.toString());
          }
        });
  }

  private static void start(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
  }

  private static void run() {
    long start = System.nanoTime();
    ClassLoader loader = Preload.class.getClassLoader();
    for (String name : CLASSES) {
      try {
        Class.forName(name, true, loader);
      } catch (Throwable e) {
        log.debug("preload of {} failed: {}", name, e.toString());
      }
    }
    try {
      // Loads junixsocket's native library, the slow part of its first use.
      org.newsclub.net.unix.AFUNIXSocket.isSupported();
      Json.MAPPER.writeValueAsBytes(List.of(1));
    } catch (Throwable e) {
      log.debug("preload failed: {}", e.toString());
    }
    log.debug("preloaded libraries in {} ms", (System.nanoTime() - start) / 1_000_000);
  }
}
