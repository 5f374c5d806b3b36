package io.ampd.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ampd.config.ControllerConfig;
import io.ampd.config.WorkerConfig;
import io.ampd.controller.Scheduler;
import io.ampd.core.AmpdException;
import io.ampd.core.Clock;
import io.ampd.metadb.Catalog;
import io.ampd.metadb.Job;
import io.ampd.metadb.JobAdmin;
import io.ampd.metadb.JobEvent;
import io.ampd.metadb.JobQueries;
import io.ampd.metadb.JobScheduling;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.RunLedger;
import io.ampd.metadb.WorkerRepository;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.testing.CoordFixtures;
import io.ampd.testing.ManualClock;
import io.ampd.testing.Processes;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The worker role and the scheduler together on a real database, with fake runners (the dataset's
 * name picks the behaviour) instead of extraction.
 */
class WorkerTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration TIMEOUT = CoordFixtures.CONTROLLER.workerTimeout();

  private CoordFixtures fx;
  private JobAdmin admin;
  private JobQueries queries;
  private JobScheduling scheduling;
  private RunLedger ledger;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final List<AmpdException> fatalErrors = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private ListAppender<ILoggingEvent> workerLog;

  /** quick: completes; waits: runs until stopped; flaky: fails twice, then completes; fatal. */
  private final JobRunner runner =
      ctx -> {
        int run =
            runs.computeIfAbsent(ctx.dataset().name(), k -> new AtomicInteger()).incrementAndGet();
        switch (ctx.dataset().name()) {
          case "waits" -> {
            while (!ctx.stop().await(Duration.ofMillis(50))) {
              // extracting
            }
          }
          case "flaky" -> {
            if (run <= 2) {
              throw JobFailedException.transientFailure("node timed out (run " + run + ")", null);
            }
          }
          case "fatal" -> throw JobFailedException.fatal("malformed block 7", null);
          default -> {}
        }
      };

  @BeforeEach
  void setUp() {
    fx = CoordFixtures.create("worker");
    admin = new JobAdmin(fx.db.dataSource());
    queries = new JobQueries(fx.db.dataSource());
    scheduling = new JobScheduling(fx.db.dataSource());
    ledger = new RunLedger(fx.db.dataSource());
    fx.provider("mainnet", "mainnet");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (workerLog != null) {
      workerLogger().detachAppender(workerLog);
      workerLogger().setLevel(null);
    }
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    fx.close();
  }

  private static Logger workerLogger() {
    return (Logger) LoggerFactory.getLogger(Worker.class);
  }

  /** What the worker logs from now until the test ends, its debug lines included. */
  private ListAppender<ILoggingEvent> captureWorkerLog() {
    workerLog = new ListAppender<>();
    workerLog.start();
    workerLogger().setLevel(Level.DEBUG);
    workerLogger().addAppender(workerLog);
    return workerLog;
  }

  /** How many lines the worker logged that start with {@code prefix}. */
  private static long linesStarting(ListAppender<ILoggingEvent> log, String prefix) {
    synchronized (log.list) {
      return log.list.stream().filter(e -> e.getFormattedMessage().startsWith(prefix)).count();
    }
  }

  /** The line the worker logs after a reading of its jobs it did not act on. */
  private static final String NOT_ACTED_ON = "worker w1 did not act on its jobs";

  /** Waits until the worker has read its jobs once more without acting on them. */
  private static void awaitReadNotActedOn(ListAppender<ILoggingEvent> log, long before)
      throws InterruptedException {
    CoordFixtures.await(
        "a reading of the jobs not acted on",
        WAIT,
        () -> linesStarting(log, NOT_ACTED_ON) > before);
  }

  /** Waits for a line of {@code level} saying {@code message} (the worker logs after recording). */
  private static void awaitLogged(ListAppender<ILoggingEvent> log, Level level, String message)
      throws InterruptedException {
    CoordFixtures.await(
        level + " line '" + message + "'",
        WAIT,
        () -> {
          synchronized (log.list) {
            return log.list.stream()
                .anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().equals(message));
          }
        });
  }

  private Worker worker(String nodeId, Map<String, JobRunner> runners) {
    return worker(nodeId, runners, Duration.ofSeconds(30));
  }

  private Worker worker(String nodeId, Map<String, JobRunner> runners, Duration networkTimeout) {
    return worker(nodeId, runners, networkTimeout, CoordFixtures.WORKER);
  }

  private Worker worker(
      String nodeId, Map<String, JobRunner> runners, Duration networkTimeout, WorkerConfig config) {
    return worker(nodeId, runners, networkTimeout, config, Clock.system());
  }

  private Worker worker(
      String nodeId,
      Map<String, JobRunner> runners,
      Duration networkTimeout,
      WorkerConfig config,
      Clock clock) {
    Worker w =
        Worker.start(
            new WorkerSettings(
                nodeId,
                fx.url,
                config,
                Path.of("/nonexistent"),
                Map.of("pid", 1),
                Duration.ofSeconds(5),
                networkTimeout),
            fx.db.dataSource(),
            Catalog.of(fx.db.dataSource()),
            runners,
            fatalErrors::add,
            clock);
    started.add(w);
    return w;
  }

  private Worker worker(String nodeId) {
    return worker(nodeId, Map.of(DatasetKind.EVM_RPC.kindName(), runner));
  }

  private static final Duration TICK = Duration.ofMillis(100);

  private Scheduler scheduler() {
    return scheduler(Clock.system());
  }

  private Scheduler scheduler(Clock clock) {
    Scheduler s = Scheduler.start(scheduling, CoordFixtures.CONTROLLER, TICK, clock);
    started.add(s);
    return s;
  }

  private long deploy(String name) {
    DatasetRef ref = fx.dataset("test", name, "1", "mainnet");
    return admin.deploy(ref, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
  }

  private Job job(long id) {
    return queries.find(id).orElseThrow();
  }

  private void awaitStatus(long id, JobStatus status) throws InterruptedException {
    CoordFixtures.await(
        "job " + id + " " + status + " (events: " + types(id) + ")",
        WAIT,
        () -> job(id).status() == status);
  }

  private List<String> types(long id) {
    return queries.events(id).stream().map(JobEvent::type).toList();
  }

  @Test
  void aDeployedJobRunsOnALiveWorker() throws Exception {
    worker("w1");
    long id = deploy("quick");
    awaitStatus(id, JobStatus.COMPLETED);
    assertEquals(Optional.of("w1"), job(id).nodeId());
    assertEquals(List.of("scheduled", "started", "completed"), types(id));
    assertEquals(List.of(), fatalErrors);
  }

  @Test
  void aJobWaitsForAWorkerAndIsAssignedWhenOneAppears() throws Exception {
    // The only worker known is silent: nobody to run the job.
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "ghost", Map.of());
    }
    fx.execute(
        "UPDATE workers SET heartbeat_at = now() - interval '1 minute'"
            + " WHERE node_id = 'ghost'");
    ManualClock clock = new ManualClock();
    scheduler(clock);
    long id = deploy("quick");
    for (int pass = 0; pass < 3; pass++) {
      clock.step("scheduler");
    }
    assertEquals(JobStatus.SCHEDULED, job(id).status());
    assertEquals(Optional.empty(), job(id).nodeId());

    worker("late");
    clock.step("scheduler");
    awaitStatus(id, JobStatus.COMPLETED);
    assertEquals(Optional.of("late"), job(id).nodeId());
    assertEquals(List.of("scheduled", "assigned", "started", "completed"), types(id));
  }

  @Test
  void errorsAreRetriedAfterTheirBackoff() throws Exception {
    ListAppender<ILoggingEvent> log = captureWorkerLog();
    worker("w1");
    scheduler();
    long id = deploy("flaky");
    awaitStatus(id, JobStatus.COMPLETED);
    awaitLogged(
        log, Level.WARN, "job " + id + " ERROR (retried with backoff): node timed out (run 2)");

    assertEquals(2, job(id).attempts());
    assertEquals(3, runs.get("flaky").get());
    List<JobEvent> events = queries.events(id);
    assertEquals(
        List.of(
            "scheduled",
            "started",
            "error",
            "retry",
            "started",
            "error",
            "retry",
            "started",
            "completed"),
        events.stream().map(JobEvent::type).toList());
    Instant firstError = events.get(2).createdAt();
    Instant secondError = events.get(5).createdAt();
    assertFalse(
        events.get(3).createdAt().isBefore(firstError.plusMillis(200)),
        "first retry waits the initial backoff");
    assertFalse(
        events.get(6).createdAt().isBefore(secondError.plusMillis(400)),
        "second retry waits twice as long");
    assertEquals(Optional.of("node timed out (run 2)"), job(id).lastError());
  }

  @Test
  void fatalJobsAreNotRetried() throws Exception {
    ListAppender<ILoggingEvent> log = captureWorkerLog();
    worker("w1");
    Scheduler scheduler = scheduler();
    long id = deploy("fatal");
    awaitStatus(id, JobStatus.FATAL);
    awaitLogged(log, Level.ERROR, "job " + id + " FATAL: malformed block 7");
    scheduler.runOnce();
    scheduler.runOnce();
    Job job = job(id);
    assertEquals(JobStatus.FATAL, job.status());
    assertEquals(0, job.attempts());
    assertEquals(Optional.of("malformed block 7"), job.lastError());
    assertEquals(1, runs.get("fatal").get());
    assertEquals(List.of("scheduled", "started", "fatal"), types(id));
  }

  @Test
  void aJobOfAnUnknownKindEndsFatal() throws Exception {
    worker("w1", Map.of());
    long id = deploy("quick");
    awaitStatus(id, JobStatus.FATAL);
    assertEquals(Optional.of("no runner for kind evm-rpc"), job(id).lastError());
  }

  @Test
  void stopTakesEffect() throws Exception {
    worker("w1");
    long id = deploy("waits");
    awaitStatus(id, JobStatus.RUNNING);

    assertEquals(JobAdmin.StopOutcome.REQUESTED, admin.requestStop(id));
    CoordFixtures.await(
        "job stopped", Duration.ofSeconds(5), () -> job(id).status() == JobStatus.STOPPED);
    assertEquals(
        List.of("scheduled", "started", "stop_requested", "stopping", "stopped"), types(id));
  }

  @Test
  void jobsOfASilentWorkerAreRescheduledOntoALiveOne() throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "ghost", Map.of());
    }
    long id = deploy("quick");
    assertEquals(Optional.of("ghost"), job(id).nodeId());
    assertTrue(ledger.start(id, "ghost"));
    fx.execute(
        "UPDATE workers SET heartbeat_at = now() - interval '1 minute'"
            + " WHERE node_id = 'ghost'");

    worker("w1");
    scheduler();
    awaitStatus(id, JobStatus.COMPLETED);
    assertEquals(Optional.of("w1"), job(id).nodeId());
    assertEquals(List.of("scheduled", "started", "rescheduled", "started", "completed"), types(id));
  }

  @Test
  void silenceWhileTheSchedulerCouldNotWatchDoesNotCount() throws Exception {
    // worker_timeout 4 s; the loop waits an hour between passes, so the passes are the test's.
    ControllerConfig config =
        new ControllerConfig(Duration.ofSeconds(4), Duration.ofMillis(200), Duration.ofSeconds(1));
    ManualClock clock = new ManualClock();
    Scheduler s = Scheduler.start(scheduling, config, Duration.ofHours(1), clock);
    started.add(s);

    // Just started: a silent worker gets 4 s of passes on time before its job goes elsewhere.
    long first = ghostJob("g1");
    passesFor(s, clock, Duration.ofMillis(3900));
    assertEquals(Optional.of("g1"), job(first).nodeId(), "moved within 4 s of the start");
    assertMovedWithin(s, clock, first, Duration.ofMillis(200));

    // A pass that waited 2.5 s on the database (longer than half the timeout): the workers could
    // not report meanwhile either.
    long second = ghostJob("g2");
    try (Connection locker = lockJobsTable()) {
      Thread pass = new Thread(s::runOnce);
      pass.start();
      awaitWaitingOnLock("jobs");
      clock.advance(Duration.ofMillis(2500));
      locker.commit();
      pass.join();
    }
    passesFor(s, clock, Duration.ofMillis(3900));
    assertEquals(Optional.of("g2"), job(second).nodeId(), "moved within 4 s of a slow pass");
    assertMovedWithin(s, clock, second, Duration.ofMillis(200));

    // 2.5 s without a pass (a suspended machine): the same.
    long third = ghostJob("g3");
    clock.advance(Duration.ofMillis(2500));
    passesFor(s, clock, Duration.ofMillis(3900));
    assertEquals(Optional.of("g3"), job(third).nodeId(), "moved within 4 s of a pause");
    assertMovedWithin(s, clock, third, Duration.ofMillis(200));
  }

  /** A job started on worker {@code nodeId}, which then went silent a minute ago. */
  private long ghostJob(String nodeId) throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, nodeId, Map.of());
    }
    long id = deploy(nodeId);
    assertEquals(Optional.of(nodeId), job(id).nodeId());
    assertTrue(ledger.start(id, nodeId));
    fx.execute(
        "UPDATE workers SET heartbeat_at = now() - interval '1 minute' WHERE node_id = '"
            + nodeId
            + "'");
    return id;
  }

  /** A pass now and one every 100 ms on {@code clock} for {@code period}. */
  private static void passesFor(Scheduler s, ManualClock clock, Duration period) {
    for (long t = 0; t <= period.toMillis(); t += TICK.toMillis()) {
      s.runOnce();
      clock.advance(TICK);
    }
  }

  /** Passes every 100 ms on {@code clock}: the job is moved from its silent worker within. */
  private void assertMovedWithin(Scheduler s, ManualClock clock, long id, Duration period) {
    for (long t = 0; t <= period.toMillis(); t += TICK.toMillis()) {
      s.runOnce();
      if (types(id).contains("rescheduled")) {
        return;
      }
      clock.advance(TICK);
    }
    throw new AssertionError("job " + id + " not moved within " + period + ": " + types(id));
  }

  /** Waits until a query containing {@code text} waits for a lock. */
  private void awaitWaitingOnLock(String text) throws InterruptedException {
    CoordFixtures.await(
        "a query on '" + text + "' waiting for a lock",
        WAIT,
        () ->
            !fx.column(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '%"
                        + text
                        + "%'")
                .isEmpty());
  }

  @Test
  void aSecondWorkerWithTheSameNodeIdIsRefused() {
    worker("w1");
    AmpdException e = assertThrows(AmpdException.class, () -> worker("w1"));
    assertEquals("worker node id 'w1' is already in use by another running worker", e.getMessage());
    assertEquals(
        "stop that worker first, or give this one another node id with --node-id or"
            + " AMP_NODE_ID",
        e.hint());
  }

  @Test
  void aStoppingWorkerHandsItsJobsBackAndAnotherTakesThem() throws Exception {
    Worker w1 = worker("w1");
    long id = deploy("waits");
    awaitStatus(id, JobStatus.RUNNING);

    w1.close();
    assertEquals(JobStatus.SCHEDULED, job(id).status());
    assertEquals(Optional.empty(), job(id).nodeId());
    assertEquals("worker_stopped", types(id).get(types(id).size() - 1));
    assertEquals(
        List.of("t"), fx.column("SELECT stopped_at IS NOT NULL FROM workers WHERE node_id = 'w1'"));

    worker("w2");
    scheduler();
    awaitStatus(id, JobStatus.RUNNING);
    assertEquals(Optional.of("w2"), job(id).nodeId());
  }

  @Test
  void aRestartedNodeResumesItsRunningJob() throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, "w1", Map.of());
    }
    long id = deploy("quick");
    assertTrue(ledger.start(id, "w1")); // as if a w1 process had crashed mid-run

    worker("w1");
    awaitStatus(id, JobStatus.COMPLETED);
    assertEquals(List.of("scheduled", "started", "resumed", "completed"), types(id));
  }

  private void terminateLockSession(String nodeId) {
    fx.execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            + " WHERE application_name = 'ampd worker "
            + nodeId
            + " lock'");
  }

  @Test
  void aWorkerThatLosesItsLockSessionTakesTheLockAgainAndResumes() throws Exception {
    worker("w1");
    long id = deploy("waits");
    awaitStatus(id, JobStatus.RUNNING);

    terminateLockSession("w1");
    awaitResumed(id);
  }

  @Test
  void aLockSessionThatStopsAnsweringIsEndedAndTheLockTakenAgain() throws Exception {
    ListAppender<ILoggingEvent> log = captureWorkerLog();
    ManualClock clock = new ManualClock();
    long id = runningJob(CoordFixtures.WORKER, clock);
    String backend = lockSessions("w1").get(0);
    // The server process of the lock session stops (SIGSTOP): the session holds the node lock,
    // and answers nothing. The next heartbeat gives up after 1 s; the worker's new sessions find
    // the lock held, end the old session (which takes effect once that process runs again) and
    // keep trying, for longer than another worker's session would be borne: the old session is
    // not taken for another worker.
    signal("STOP", backend);
    try {
      clock.step(HEARTBEAT);
      long tries = NodeLock.HELD_ELSEWHERE.dividedBy(NodeLock.RELOCK_PAUSE) + 4;
      try {
        for (long i = 0; i < tries; i++) {
          clock.step(HEARTBEAT);
        }
      } catch (java.util.concurrent.TimeoutException e) {
        assertEquals(List.of(), fatalErrors, "the heartbeat thread ended");
        throw e;
      }
      assertEquals(1, linesStarting(log, "worker w1: ending its old session"));
      assertEquals(List.of(), fatalErrors);
    } finally {
      signal("CONT", backend);
    }
    awaitResumed(id, clock);
  }

  private static final String HEARTBEAT = "worker-heartbeat";

  @Test
  void jobsResumeAsSoonAsTheNodeLockIsHeldAgain() throws Exception {
    // What resumes the job below within seconds is the worker reading its jobs once it holds its
    // node lock again, not the reading once a minute.
    ListAppender<ILoggingEvent> log = captureWorkerLog();
    long id = runningJob(READ_ONCE_A_MINUTE);
    String backend = lockSessions("w1").get(0);
    signal("STOP", backend);
    try {
      CoordFixtures.await("old session asked to end", WAIT, () -> lockSessions("w1").size() > 1);
      // A notification while the lock is being taken again: the worker cannot read its jobs yet.
      long before = linesStarting(log, NOT_ACTED_ON);
      fx.execute("NOTIFY " + RunLedger.CHANNEL);
      awaitReadNotActedOn(log, before);
    } finally {
      signal("CONT", backend);
    }
    awaitResumed(id);
  }

  @Test
  void aReconcileReadBeforeTheLockWasLostStartsNothing() throws Exception {
    ListAppender<ILoggingEvent> log = captureWorkerLog();
    long id = runningJob(READ_ONCE_A_MINUTE);
    String backend = lockSessions("w1").get(0);
    // The worker's next read of its jobs waits on this lock, as it would on a database that is
    // restarting.
    try (Connection locker = lockJobsTable()) {
      fx.execute("NOTIFY " + RunLedger.CHANNEL);
      awaitWaitingOnLock("FROM jobs");
      // Meanwhile the lock session stops answering: the worker stops its run and tries to take the
      // lock again, which it cannot while that session holds it.
      signal("STOP", backend);
      try {
        awaitLogged(
            log,
            Level.WARN,
            "job " + id + " ended (SCHEDULED) after the node lock was lost; not recorded");
        long before = linesStarting(log, NOT_ACTED_ON);
        locker.commit();
        // The waiting read now sees the job RUNNING on this worker with no run: it must not start
        // one without the lock, and it must read again soon, as the lock may be back any moment.
        awaitReadNotActedOn(log, before);
        assertFalse(types(id).contains("resumed"), "resumed without the node lock: " + types(id));
      } finally {
        signal("CONT", backend);
      }
    }
    awaitResumed(id);
  }

  /** Jobs read once a minute besides notifications. */
  private static final WorkerConfig READ_ONCE_A_MINUTE =
      new WorkerConfig(Duration.ofMillis(200), Duration.ofMinutes(1), 100);

  /**
   * Worker w1 (its sessions give up after 1 s of silence) running a job until stopped; the job's
   * id.
   */
  private long runningJob(WorkerConfig config) throws InterruptedException {
    return runningJob(config, Clock.system());
  }

  private long runningJob(WorkerConfig config, Clock clock) throws InterruptedException {
    worker(
        "w1", Map.of(DatasetKind.EVM_RPC.kindName(), runner), Duration.ofSeconds(1), config, clock);
    long id = deploy("waits");
    awaitStatus(id, JobStatus.RUNNING);
    return id;
  }

  private void awaitResumed(long id) throws InterruptedException {
    CoordFixtures.await("job resumed", WAIT, () -> types(id).contains("resumed"));
    assertEquals(JobStatus.RUNNING, job(id).status());
    assertEquals(List.of(), fatalErrors);
  }

  /** Waits for the job to resume, moving {@code clock} on by the worker's pauses meanwhile. */
  private void awaitResumed(long id, ManualClock clock) throws InterruptedException {
    CoordFixtures.await(
        "job resumed",
        WAIT,
        () -> {
          clock.advance(NodeLock.RELOCK_PAUSE);
          return types(id).contains("resumed");
        });
    assertEquals(JobStatus.RUNNING, job(id).status());
    assertEquals(List.of(), fatalErrors);
  }

  /** A transaction holding the jobs table locked against every reader until it ends. */
  private Connection lockJobsTable() throws java.sql.SQLException {
    Connection c = java.sql.DriverManager.getConnection(fx.url.jdbcUrl(), fx.url.jdbcProperties());
    try (java.sql.Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
      return c;
    } catch (java.sql.SQLException e) {
      c.close();
      throw e;
    }
  }

  /** The server pids of the sessions named as the worker's lock session. */
  private List<String> lockSessions(String nodeId) {
    return fx.column(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'ampd worker "
            + nodeId
            + " lock'");
  }

  private static void signal(String name, String pid) throws Exception {
    assertTrue(Processes.signal(name, Long.parseLong(pid)), "kill -" + name + " " + pid);
  }

  @Test
  void aWorkerWhoseNodeIdWasTakenMeanwhileStopsWithAnError() throws Exception {
    worker("w1");
    try (Connection other =
        java.sql.DriverManager.getConnection(fx.url.jdbcUrl(), fx.url.jdbcProperties())) {
      terminateLockSession("w1");
      assertTrue(WorkerRepository.tryLock(other, "w1"));
      CoordFixtures.await("fatal error reported", WAIT, () -> !fatalErrors.isEmpty());
    }
    assertEquals(
        "worker node id 'w1' was taken by another worker while this one was"
            + " disconnected from the metadata database",
        fatalErrors.get(0).getMessage());
  }
}
