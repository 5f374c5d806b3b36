package io.ampd.bench;

import io.ampd.testing.PostmasterPidFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The floors ampd's start and stop are compared against, measured with the same JVM flags and the
 * same PostgreSQL binaries ampd uses: a bare JVM start, {@code initdb} alone, and a raw {@code
 * postgres} start and fast shutdown on a fresh cluster.
 */
final class Floors {
  private static final long POLL_NANOS = 500_000;
  private static final long PG_START_TIMEOUT_MS = 60_000;
  private static final long EXIT_TIMEOUT_MS = 60_000;

  private final List<String> javaWithFlags;
  private final String testClasspath;
  private final PgTools pg;
  private final SelectOne selectOne;
  private final Results results;

  Floors(
      List<String> javaWithFlags,
      String testClasspath,
      PgTools pg,
      SelectOne selectOne,
      Results results) {
    this.javaWithFlags = javaWithFlags;
    this.testClasspath = testClasspath;
    this.pg = pg;
    this.selectOne = selectOne;
    this.results = results;
  }

  /** One round of every floor, in {@code work}. */
  void measure(TempDir work) throws IOException, InterruptedException {
    jvm(work);
    Path data = pg.newDataDir(work.path().resolve("pgdata"));
    initdb(work, data);
    rawPostgres(work, data);
  }

  private void jvm(TempDir work) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(javaWithFlags);
    command.addAll(List.of("-cp", testClasspath, Noop.class.getName()));
    try (Child jvm = Child.start(command, Map.of(), work.path().resolve("noop.log"))) {
      int code = jvm.waitFor(EXIT_TIMEOUT_MS, "bare JVM");
      double ms = Clock.millisSince(jvm.startNanos());
      if (code != 0) {
        throw new BenchException("bare JVM (Noop) exited with " + code, jvm.logTail());
      }
      results.add(Metric.JVM_FLOOR, ms);
    }
  }

  private void initdb(TempDir work, Path data) throws IOException, InterruptedException {
    List<String> command =
        pg.asPgUser(
            List.of(
                pg.initdb().toString(),
                "-D",
                data.toString(),
                "-E",
                "UTF8",
                "--locale=C",
                "-A",
                "trust",
                "-U",
                "postgres"));
    try (Child initdb = Child.start(command, Map.of(), work.path().resolve("initdb.log"))) {
      int code = initdb.waitFor(EXIT_TIMEOUT_MS, "initdb");
      double ms = Clock.millisSince(initdb.startNanos());
      if (code != 0) {
        throw new BenchException("initdb exited with " + code, initdb.logTail());
      }
      results.add(Metric.INITDB_FLOOR, ms);
    }
  }

  private void rawPostgres(TempDir work, Path data) throws IOException, InterruptedException {
    List<String> command =
        pg.asPgUser(
            List.of(
                pg.postgres().toString(),
                "-D",
                data.toString(),
                "-c",
                "listen_addresses=",
                "-c",
                "unix_socket_directories=" + data));
    try (Child postgres = Child.start(command, Map.of(), work.path().resolve("postgres.log"))) {
      long deadline = postgres.startNanos() + PG_START_TIMEOUT_MS * 1_000_000;
      while (!PostmasterPidFile.isReady(data, postgres.pid())) {
        if (!postgres.isAlive()) {
          throw new BenchException("raw postgres exited before it was ready", postgres.logTail());
        }
        if (Clock.now() > deadline) {
          throw new BenchException(
              "raw postgres not ready within " + PG_START_TIMEOUT_MS + " ms", postgres.logTail());
        }
        LockSupport.parkNanos(POLL_NANOS);
      }
      results.add(Metric.PG_READY_FLOOR, Clock.millisSince(postgres.startNanos()));
      if (selectOne.available()) {
        selectOne.run(data);
        results.add(Metric.PG_SELECT_FLOOR, Clock.millisSince(postgres.startNanos()));
      }

      Process kill = Signals.spawn("INT", postgres.pid());
      long stopStart = Clock.now();
      int code = postgres.waitFor(EXIT_TIMEOUT_MS, "raw postgres after SIGINT");
      results.add(Metric.PG_STOP_FLOOR, Clock.millisSince(stopStart));
      Signals.reap(kill);
      if (code != 0 || Files.exists(PostmasterPidFile.path(data))) {
        throw new BenchException(
            "raw postgres did not stop cleanly on SIGINT (exit " + code + ")", postgres.logTail());
      }
    }
  }
}
