package io.ampd.postgres;

import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import io.ampd.core.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a private PostgreSQL cluster for {@code ampd solo}: docs/design.md "Managed PostgreSQL".
 *
 * <p>{@link #start} reads like the steps: locate binaries, stop an orphan of this data dir, initdb
 * if {@code PG_VERSION} is missing, start postgres, wait until ready, create database {@code amp}
 * if missing, then monitor.
 *
 * <p>Database {@code amp} on a new cluster. {@code CREATE DATABASE} copies {@code template1} and
 * costs 50-200 ms, the largest step of a first start after initdb and the migration. So on a new
 * cluster the database initdb made as {@code postgres} (itself a plain copy of {@code template1})
 * is renamed to {@code amp}, which is instant, and {@code postgres}, the default database of tools
 * such as psql, is made again on the monitor thread while ampd goes on starting. The readiness
 * probe counts the databases named {@code postgres}, so a start after a crash in that window makes
 * it then; {@link #close} waits for it.
 *
 * <p>Lifecycle and threads. The caller's thread runs {@link #start} up to READY. From then on a
 * single daemon thread ({@code postgres-monitor}) owns restarts: it learns of a postmaster exit
 * through {@link Process#onExit()}, and unless the supervisor is stopping it restarts PostgreSQL
 * with backoff (state RESTARTING, READY again after); five failures within a minute make the state
 * FAILED and call {@link Listener#onFatal}. {@link #close()} may come from any thread: it sets
 * {@code stopping} under the lock (so no restart spawns a new postmaster after it) and then stops
 * the current postmaster outside the lock. A restart that was waiting for readiness when close
 * stopped its postmaster gives up quietly.
 *
 * <p>Time. The restart backoff and the failure window are measured on a {@link Clock} ({@link
 * Clock#system()} but in tests): the monitor thread waits out each backoff on it, and a close ends
 * that wait at once. So a test drives a crash loop one restart at a time, and moves past the minute
 * of the failure window without waiting for it. The waits for PostgreSQL's own process (its {@code
 * postmaster.pid}, the readiness probes, a start refused over shared memory, an exit being reaped)
 * stay in real time: they wait for another process to get somewhere, which no clock can hurry, and
 * {@code start_timeout_secs} and {@code stop_timeout_secs} bound them.
 */
public final class PostgresSupervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresSupervisor.class);

  /** The database ampd keeps its metadata in. */
  public static final String DATABASE = "amp";

  /** The cluster's superuser, made by initdb. */
  public static final String SUPERUSER = "postgres";

  private static final Duration[] BACKOFF = {
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(4)
  };
  private static final int MAX_FAILURES = 5;
  private static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);

  /** How long a postmaster that exited while starting gets to be reaped before its log is read. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(1);

  /** How long a start refused over shared memory still held waits before trying again. */
  private static final Duration SHMEM_RETRY_PAUSE = Duration.ofMillis(50);

  /** How long an immediate shutdown (SIGQUIT) gets before SIGKILL. */
  private static final Duration IMMEDIATE_STOP_WAIT = Duration.ofSeconds(2);

  private static final String SHMEM_IN_USE = "pre-existing shared memory block";

  /** How long one SQL statement over the socket may take while starting. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  private static final String NO_SUCH_DATABASE = "3D000";
  private static final String DUPLICATE_DATABASE = "42P04";

  /** The database initdb makes for tools (psql's default for user postgres). */
  static final String TOOLS_DATABASE = "postgres";

  /** The readiness query: how many databases {@code postgres} there are (0 or 1). */
  private static final String READY_PROBE =
      "SELECT count(*) FROM pg_database WHERE datname = '" + TOOLS_DATABASE + "'";

  /** Lifecycle states, reported by {@code /healthz}. */
  public enum State {
    STARTING,
    READY,
    RESTARTING,
    STOPPING,
    STOPPED,
    FAILED
  }

  /** Told about state changes; {@code onFatal} when PostgreSQL keeps dying (ampd exits 1). */
  public interface Listener {
    default void onStateChange(State state) {}

    default void onFatal(AmpdException error) {}
  }

  private final PostgresSettings settings;
  private final Listener listener;
  private final Binaries binaries;
  private final Launcher launcher;
  private final SocketDir socketDir;
  private final PgUrl url;
  private final Object lock = new Object();
  private final Deque<Long> failures = new ArrayDeque<>();
  private final Clock clock;

  /** Opened when the supervisor begins to stop: ends a restart's backoff at once. */
  private final CountDownLatch stopped = new CountDownLatch(1);

  private final ScheduledExecutorService monitor;
  private volatile CompletableFuture<Void> toolsDatabase = CompletableFuture.completedFuture(null);

  private volatile State state = State.STARTING;
  private volatile ServerProcess current;
  private boolean stopping;
  private boolean closed;
  private int consecutiveFailures;

  private PostgresSupervisor(
      PostgresSettings settings,
      Listener listener,
      Binaries binaries,
      Launcher launcher,
      SocketDir socketDir,
      Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.listener = listener;
    this.binaries = binaries;
    this.launcher = launcher;
    this.socketDir = socketDir;
    this.url = PgUrl.unixSocket(socketDir.dir(), ServerProcess.PORT, DATABASE, SUPERUSER);
    this.monitor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "postgres-monitor");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Finds binaries, clears an orphan, runs initdb if needed, starts postgres and waits until it is
   * ready. The database {@code amp} exists when this returns.
   */
  public static PostgresSupervisor start(PostgresSettings settings, Listener listener) {
    return start(settings, listener, Clock.system());
  }

  /**
   * {@link #start(PostgresSettings, Listener)}, its restart backoff and failure window on {@code
   * clock}.
   */
  public static PostgresSupervisor start(
      PostgresSettings settings, Listener listener, Clock clock) {
    long t0 = System.nanoTime();
    Path dataDir = settings.dataDir();
    Host host = settings.host();
    log.info("Starting PostgreSQL in {}...", dataDir);
    listener.onStateChange(State.STARTING);
    try {
      OsUser user = OsUser.resolve(settings.osUser(), host.euid());
      user.checkCanReach(dataDir);
      Optional<String> clusterMajor = ClusterInit.existingMajor(dataDir);
      Binaries binaries =
          new BinaryLocator(settings, new BundledBinaries(settings)).locate(clusterMajor);
      log.info("Using {}", binaries);
      user.checkCanReach(binaries.postgres());
      Launcher launcher = new Launcher(user, settings.env(), host, dataDir.getParent());
      if (!launcher.tiesChildToJvm() && host.isLinux()) {
        log.warn("setpriv not found: PostgreSQL may outlive a killed ampd (install util-linux)");
      }
      SocketDir socketDir =
          SocketDir.choose(
              dataDir, ServerProcess.PORT, host, settings.env().get("XDG_RUNTIME_DIR"), user);
      boolean fresh = clusterMajor.isEmpty();
      if (fresh) {
        long t = System.nanoTime();
        log.info("Creating a new PostgreSQL cluster in {} (initdb)...", dataDir);
        ClusterInit.run(binaries, user, dataDir, launcher);
        log.info("Created the cluster in {} ms", millisSince(t));
      } else {
        new Orphans(ProcFs.system(), host.isLinux() && ProcFs.available())
            .clear(dataDir, socketLock(socketDir.dir()), settings.stopTimeout());
        ensureOwner(dataDir, user);
      }
      PostgresSupervisor supervisor =
          new PostgresSupervisor(settings, listener, binaries, launcher, socketDir, clock);
      supervisor.startFirst(fresh);
      log.info(
          "PostgreSQL {} ready in {} ms (pid {}): psql '{}'",
          binaries.version(),
          millisSince(t0),
          supervisor.pid(),
          psqlUrl(socketDir.dir()));
      return supervisor;
    } catch (IOException e) {
      throw new AmpdException(
          "cannot start PostgreSQL in " + dataDir + ": " + e,
          "check that the amp dir is writable and on a local file system");
    }
  }

  private void startFirst(boolean fresh) {
    try {
      launchUntilReady(fresh);
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
    setState(State.READY);
    watch(current);
  }

  /**
   * Starts a postmaster and waits for it: {@code postmaster.pid} ready for our child, then {@code
   * SELECT 1} on database amp (created first on a fresh cluster, or when missing). A start refused
   * because the backends of a killed postmaster still hold its shared memory is retried until the
   * start deadline.
   */
  private void launchUntilReady(boolean fresh) {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    while (true) {
      ServerProcess server;
      synchronized (lock) {
        if (stopping) {
          throw new AmpdException("PostgreSQL start cancelled: ampd is stopping", null);
        }
        try {
          server =
              ServerProcess.start(
                  launcher,
                  binaries,
                  settings.dataDir(),
                  socketDir.dir(),
                  settings.serverSettings());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        current = server;
      }
      try {
        if (!server.awaitPidFileReady(deadline)) {
          server.waitFor(EXIT_WAIT);
          server.output().awaitEnd();
          if (server.output().contains(SHMEM_IN_USE) && System.nanoTime() < deadline) {
            log.info("Old PostgreSQL backends still hold shared memory; retrying the start");
            LockSupport.parkNanos(SHMEM_RETRY_PAUSE.toNanos());
            continue;
          }
          throw server.notReady("exited while starting");
        }
        awaitSql(server, fresh, deadline);
        return;
      } catch (RuntimeException e) {
        server.stop("QUIT", IMMEDIATE_STOP_WAIT);
        throw e;
      }
    }
  }

  private void awaitSql(ServerProcess server, boolean fresh, long deadline) {
    Path socket = socketDir.dir().resolve(".s.PGSQL." + ServerProcess.PORT);
    boolean rename = fresh;
    boolean create = false;
    while (true) {
      try {
        if (rename) {
          rename = false;
          create = !renameToolsDatabase(socket);
        }
        if (create) {
          createDatabase(socket);
          create = false;
        }
        String tools =
            WireProbe.execute(socket, SUPERUSER, DATABASE, READY_PROBE, PROBE_TIMEOUT, monitor);
        if ("0".equals(tools)) {
          makeToolsDatabase(socket);
        }
        return;
      } catch (WireProbe.ServerError e) {
        if (NO_SUCH_DATABASE.equals(e.sqlState())) {
          create = true;
          continue;
        }
        retryOrFail(server, deadline, e);
      } catch (IOException e) {
        retryOrFail(server, deadline, e);
      }
    }
  }

  /** On a new cluster: database {@code postgres} becomes {@code amp}; false if that failed. */
  private boolean renameToolsDatabase(Path socket) throws IOException {
    try {
      WireProbe.execute(
          socket,
          SUPERUSER,
          "template1",
          "ALTER DATABASE "
              + TOOLS_DATABASE
              + " RENAME TO "
              + DATABASE
              + "; COMMENT ON DATABASE "
              + DATABASE
              + " IS NULL",
          PROBE_TIMEOUT,
          monitor);
      log.info("Created database {}", DATABASE);
      return true;
    } catch (WireProbe.ServerError e) {
      log.debug("renaming database {} failed, creating {}: {}", TOOLS_DATABASE, DATABASE, e);
      return false;
    }
  }

  private void createDatabase(Path socket) throws IOException, WireProbe.ServerError {
    try {
      WireProbe.execute(
          socket, SUPERUSER, "template1", "CREATE DATABASE " + DATABASE, PROBE_TIMEOUT, monitor);
      log.info("Created database {}", DATABASE);
    } catch (WireProbe.ServerError e) {
      if (!DUPLICATE_DATABASE.equals(e.sqlState())) {
        throw e;
      }
    }
  }

  /** Makes database {@code postgres} on the monitor thread; {@link #close} waits for it. */
  private void makeToolsDatabase(Path socket) {
    try {
      toolsDatabase = makeToolsDatabaseAsync(socket);
    } catch (RejectedExecutionException e) {
      log.debug("stopping: database {} not made", TOOLS_DATABASE);
    }
  }

  private CompletableFuture<Void> makeToolsDatabaseAsync(Path socket) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            WireProbe.execute(
                socket,
                SUPERUSER,
                DATABASE,
                "CREATE DATABASE " + TOOLS_DATABASE,
                PROBE_TIMEOUT,
                monitor);
            WireProbe.execute(
                socket,
                SUPERUSER,
                DATABASE,
                "COMMENT ON DATABASE "
                    + TOOLS_DATABASE
                    + " IS 'default administrative connection database'",
                PROBE_TIMEOUT,
                monitor);
          } catch (WireProbe.ServerError e) {
            if (!DUPLICATE_DATABASE.equals(e.sqlState())) {
              log.warn("cannot create database {}: {}", TOOLS_DATABASE, e.getMessage());
            }
          } catch (IOException e) {
            log.warn("cannot create database {}: {}", TOOLS_DATABASE, e.toString());
          }
        },
        monitor);
  }

  /** Waits until database {@code postgres} exists again after a new cluster's first start. */
  public void awaitToolsDatabase() {
    try {
      toolsDatabase.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("database {} not made: {}", TOOLS_DATABASE, e.toString());
    }
  }

  private static void retryOrFail(ServerProcess server, long deadline, Exception e) {
    if (!server.isAlive()) {
      throw server.notReady("exited while starting");
    }
    if (System.nanoTime() > deadline) {
      throw server.notReady("did not answer SELECT 1 (" + e.getMessage() + ")");
    }
    LockSupport.parkNanos(ServerProcess.POLL.toNanos());
  }

  private void watch(ServerProcess server) {
    server.process().onExit().thenRunAsync(() -> onExit(server), monitor);
  }

  private void onExit(ServerProcess server) {
    synchronized (lock) {
      if (stopping || current != server) {
        return;
      }
    }
    server.output().awaitEnd();
    log.warn(
        "PostgreSQL (pid {}) exited unexpectedly (exit {}); last log lines: {}",
        server.pid(),
        server.process().exitValue(),
        server.output().tail(10));
    setState(State.RESTARTING);
    failedAgain();
  }

  /** Counts a failure; restarts with backoff, or gives up when it keeps failing. */
  private void failedAgain() {
    long now = clock.nanoTime();
    failures.addLast(now);
    while (!failures.isEmpty() && now - failures.peekFirst() > FAILURE_WINDOW.toNanos()) {
      failures.removeFirst();
    }
    if (failures.size() >= MAX_FAILURES) {
      giveUp();
      return;
    }
    Duration delay = BACKOFF[Math.min(consecutiveFailures, BACKOFF.length - 1)];
    consecutiveFailures++;
    log.info("Restarting PostgreSQL in {} ms", delay.toMillis());
    try {
      monitor.execute(() -> restartAfter(delay));
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** Waits out a backoff on the clock (a close ends it), then restarts; on the monitor thread. */
  private void restartAfter(Duration delay) {
    try {
      if (clock.await(stopped, delay)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    restart();
  }

  private void restart() {
    try {
      launchUntilReady(false);
    } catch (RuntimeException e) {
      synchronized (lock) {
        if (stopping) {
          return;
        }
      }
      log.warn("PostgreSQL restart failed: {}", e.getMessage());
      failedAgain();
      return;
    }
    consecutiveFailures = 0;
    log.info("PostgreSQL restarted (pid {})", pid());
    setState(State.READY);
    watch(current);
  }

  private void giveUp() {
    ServerProcess last = current;
    String tail = last == null ? "(no output)" : last.output().tail(10);
    AmpdException error =
        new AmpdException(
            "PostgreSQL in "
                + settings.dataDir()
                + " keeps dying: "
                + MAX_FAILURES
                + " failures within "
                + FAILURE_WINDOW.toSeconds()
                + " s; last log lines: "
                + tail,
            "see the PostgreSQL log lines above; fix the cause (disk space, memory, settings)"
                + " and start ampd again");
    log.error(error.getMessage());
    setState(State.FAILED);
    listener.onFatal(error);
  }

  /** The superuser URL of database {@code amp} over the socket. */
  public PgUrl url() {
    return url;
  }

  /** The directory holding PostgreSQL's Unix socket. */
  public Path socketDir() {
    return socketDir.dir();
  }

  /** The postmaster's pid (a new one after a restart). */
  public long pid() {
    ServerProcess s = current;
    return s == null ? -1 : s.pid();
  }

  public State state() {
    return state;
  }

  /** The PostgreSQL version running, e.g. {@code 15.18}. */
  public String version() {
    return binaries.version();
  }

  private void setState(State next) {
    if (state == next) {
      return;
    }
    state = next;
    try {
      listener.onStateChange(next);
    } catch (RuntimeException e) {
      log.warn("state listener failed on {}", next, e);
    }
  }

  /**
   * Fast shutdown (SIGINT); SIGQUIT after the stop timeout, SIGKILL as last resort; removes a
   * fallback socket dir. Idempotent; a second concurrent call returns at once.
   */
  @Override
  public void close() {
    ServerProcess server;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = true;
      stopped.countDown();
      server = current;
    }
    log.info("Stopping PostgreSQL...");
    setState(State.STOPPING);
    awaitToolsDatabase();
    monitor.shutdownNow();
    if (server != null && server.isAlive()) {
      long t = System.nanoTime();
      if (server.stop("INT", settings.stopTimeout())) {
        log.info("PostgreSQL stopped in {} ms", millisSince(t));
      } else {
        log.error("PostgreSQL (pid {}) did not stop, even after SIGKILL", server.pid());
      }
    }
    try {
      socketDir.cleanUp();
    } catch (IOException e) {
      log.warn("cannot remove socket dir {}: {}", socketDir.dir(), e.toString());
    }
    setState(State.STOPPED);
  }

  /** A second Ctrl+C: immediate shutdown (SIGQUIT) now, then the rest of {@link #close()}. */
  public void stopNow() {
    ServerProcess server;
    synchronized (lock) {
      stopping = true;
      stopped.countDown();
      server = current;
    }
    if (server != null && server.isAlive()) {
      log.warn("Stopping PostgreSQL now (immediate shutdown)");
      server.stop("QUIT", IMMEDIATE_STOP_WAIT);
    }
    close();
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      log.debug("cleanup after failed start", e);
    }
  }

  private static Path socketLock(Path socketDir) {
    return socketDir.resolve(".s.PGSQL." + ServerProcess.PORT + ".lock");
  }

  /** A root ampd whose os user changed must hand the cluster to the new user. */
  private static void ensureOwner(Path dataDir, OsUser user) throws IOException {
    if (!user.switchUser()) {
      return;
    }
    int owner = (Integer) Files.getAttribute(dataDir, "unix:uid");
    if (owner != user.uid()) {
      log.info("Handing {} to OS user {}", dataDir, user.name());
      user.chownRecursively(dataDir);
    }
  }

  /** {@code postgresql:///amp?host=<dir>&user=postgres}, ready to paste after psql. */
  static String psqlUrl(Path socketDir) {
    return "postgresql:///"
        + DATABASE
        + "?host="
        + encode(socketDir.toString())
        + "&user="
        + SUPERUSER;
  }

  private static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "/._-~".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.toString();
  }

  private static long millisSince(long t) {
    return (System.nanoTime() - t) / 1_000_000;
  }
}
