package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.testing.CoordFixtures;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Jobs and workers in the metadata database: compare-and-set changes, events, notifications. */
class JobsTest {
  private static final Duration TIMEOUT = CoordFixtures.CONTROLLER.workerTimeout();

  private CoordFixtures fx;
  private JobAdmin admin;
  private JobQueries queries;
  private JobScheduling scheduling;
  private RunLedger ledger;
  private DatasetRef ds;

  @BeforeEach
  void setUp() {
    fx = CoordFixtures.create("jobs");
    admin = new JobAdmin(fx.db.dataSource());
    queries = new JobQueries(fx.db.dataSource());
    scheduling = new JobScheduling(fx.db.dataSource());
    ledger = new RunLedger(fx.db.dataSource());
    fx.provider("mainnet", "mainnet");
    ds = fx.dataset("ex", "eth", "1.0.0", "mainnet");
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private void register(String node) throws SQLException {
    try (Connection c = fx.db.dataSource().getConnection()) {
      WorkerRepository.register(c, node, Map.of("pid", 1));
    }
  }

  private void silence(String node) {
    fx.execute(
        "UPDATE workers SET heartbeat_at = now() - interval '1 hour' WHERE node_id = '"
            + node
            + "'");
  }

  private List<String> eventTypes(long id) {
    return queries.events(id).stream().map(JobEvent::type).toList();
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Job job(long id) {
    return queries.find(id).orElseThrow();
  }

  @Test
  void deployIsIdempotentWhileTheJobIsActive() {
    JobAdmin.Deployed first = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT);
    assertTrue(first.created());
    assertEquals(JobStatus.SCHEDULED, first.job().status());
    assertEquals(Optional.empty(), first.job().nodeId());
    assertEquals("mainnet", first.job().provider());
    assertEquals(DatasetKind.EVM_RPC.kindName(), first.job().kind());

    JobAdmin.Deployed again = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT);
    assertFalse(again.created());
    assertEquals(first.job().id(), again.job().id());
    assertEquals(List.of("scheduled"), eventTypes(first.job().id()));

    assertEquals(JobAdmin.StopOutcome.STOPPED, admin.requestStop(first.job().id()));
    JobAdmin.Deployed after = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT);
    assertTrue(after.created());
    assertNotEquals(first.job().id(), after.job().id());
  }

  @Test
  void deployOfAMissingProviderFails() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "nope", TIMEOUT));
    assertEquals("provider 'nope' does not exist", e.getMessage());
  }

  @Test
  void deployPicksALiveWorkerAndNotifiesIt() throws Exception {
    register("dead");
    silence("dead");
    register("live");
    try (Connection listen = fx.db.dataSource().getConnection();
        Statement s = listen.createStatement()) {
      s.execute("LISTEN job_actions");
      Job job = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job();
      assertEquals(Optional.of("live"), job.nodeId());
      PGNotification[] notes = listen.unwrap(PGConnection.class).getNotifications(5000);
      assertEquals(1, notes.length);
      assertEquals(
          "{\"job_id\":" + job.id() + ",\"node_id\":\"live\",\"action\":\"start\"}",
          notes[0].getParameter());
    }
  }

  @Test
  void statusChangesAreCompareAndSetWithAnEventEach() throws Exception {
    register("w1");
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();

    assertFalse(ledger.start(id, "w2"), "another node cannot start it");
    assertTrue(ledger.start(id, "w1"));
    assertFalse(ledger.start(id, "w1"), "RUNNING is not SCHEDULED any more");
    assertEquals(JobStatus.RUNNING, job(id).status());

    assertTrue(ledger.finish(id, "w1", JobStatus.ERROR, "node timed out"));
    Job failed = job(id);
    assertEquals(JobStatus.ERROR, failed.status());
    assertEquals(1, failed.attempts());
    assertEquals(Optional.of("node timed out"), failed.lastError());
    assertFalse(ledger.finish(id, "w1", JobStatus.COMPLETED, null), "ERROR is not running");

    assertEquals(List.of("scheduled", "started", "error"), eventTypes(id));
    JobEvent error = queries.events(id).get(2);
    assertEquals(Optional.of("w1"), error.nodeId());
    assertEquals(json("{\"status\":\"ERROR\",\"error\":\"node timed out\"}"), error.detail());
  }

  @Test
  void stopOfARunningJobGoesThroughItsWorker() throws Exception {
    register("w1");
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    ledger.start(id, "w1");

    assertEquals(JobAdmin.StopOutcome.REQUESTED, admin.requestStop(id));
    assertEquals(JobStatus.STOP_REQUESTED, job(id).status());
    assertEquals(JobAdmin.StopOutcome.ALREADY_STOPPING, admin.requestStop(id));
    assertTrue(ledger.stopping(id, "w1"));
    assertTrue(ledger.finish(id, "w1", JobStatus.STOPPED, null));
    assertEquals(JobAdmin.StopOutcome.FINISHED, admin.requestStop(id));
    assertEquals(JobAdmin.StopOutcome.NOT_FOUND, admin.requestStop(id + 1000));
    assertEquals(
        List.of("scheduled", "started", "stop_requested", "stopping", "stopped"), eventTypes(id));
  }

  @Test
  void onlyFinishedJobsAreDeleted() {
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    assertEquals(JobAdmin.DeleteOutcome.NOT_FINISHED, admin.delete(id));
    admin.requestStop(id);
    assertEquals(JobAdmin.DeleteOutcome.DELETED, admin.delete(id));
    assertEquals(Optional.empty(), queries.find(id));
    assertEquals(List.of(), queries.events(id));
    assertEquals(JobAdmin.DeleteOutcome.NOT_FOUND, admin.delete(id));
  }

  @Test
  void retriesWaitAnExponentialBackoffCappedAtTheMaximum() throws Exception {
    register("w1");
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    Duration initial = Duration.ofMillis(200);
    Duration max = Duration.ofMillis(700);
    List<Long> waits = new java.util.ArrayList<>();
    for (int attempt = 1; attempt <= 4; attempt++) {
      assertTrue(ledger.start(id, "w1"));
      assertTrue(ledger.finish(id, "w1", JobStatus.ERROR, "boom " + attempt));
      assertEquals(1, scheduling.planRetries(initial, max));
      assertEquals(0, scheduling.planRetries(initial, max), "planned once");
      waits.add(
          Long.parseLong(
              fx.column(
                      "SELECT round(extract(epoch FROM j.next_attempt_at - e.created_at) * 1000)"
                          + " FROM jobs j JOIN job_events e ON e.job_id = j.id WHERE e.event_type ="
                          + " 'error' ORDER BY e.id DESC LIMIT 1")
                  .get(0)));
      fx.execute("UPDATE jobs SET next_attempt_at = now() WHERE id = " + id);
      assertEquals(1, scheduling.retryDue(TIMEOUT));
      assertEquals(JobStatus.SCHEDULED, job(id).status());
      assertEquals(Optional.of("w1"), job(id).nodeId());
    }
    assertEquals(List.of(200L, 400L, 700L, 700L), waits);
    assertEquals(4, job(id).attempts());
  }

  @Test
  void retryIsNotDueBeforeItsTime() throws Exception {
    register("w1");
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    ledger.start(id, "w1");
    ledger.finish(id, "w1", JobStatus.ERROR, "boom");
    scheduling.planRetries(Duration.ofHours(1), Duration.ofHours(2));
    assertEquals(0, scheduling.retryDue(TIMEOUT));
    assertEquals(JobStatus.ERROR, job(id).status());
  }

  @Test
  void aJobStoppedWhileWaitingForItsRetryShowsNoRetryTime() throws Exception {
    register("w1");
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    ledger.start(id, "w1");
    ledger.finish(id, "w1", JobStatus.ERROR, "boom");
    scheduling.planRetries(Duration.ofHours(1), Duration.ofHours(2));
    assertTrue(job(id).nextAttemptAt().isPresent(), "an ERROR job has its retry time");
    assertEquals(JobAdmin.StopOutcome.STOPPED, admin.requestStop(id));
    assertEquals(JobStatus.STOPPED, job(id).status());
    assertEquals(Optional.empty(), job(id).nextAttemptAt(), "a STOPPED job is not retried");
    assertEquals(0, scheduling.retryDue(TIMEOUT));
  }

  @Test
  void fatalJobsAreNeverRetried() throws Exception {
    register("w1");
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    ledger.start(id, "w1");
    ledger.finish(id, "w1", JobStatus.FATAL, "malformed block");
    assertEquals(0, scheduling.planRetries(Duration.ofMillis(10), Duration.ofMillis(10)));
    assertEquals(0, scheduling.retryDue(TIMEOUT));
    assertEquals(JobStatus.FATAL, job(id).status());
    assertEquals(0, job(id).attempts());
  }

  @Test
  void waitingJobsAreAssignedWhenAWorkerAppears() throws Exception {
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    assertEquals(0, scheduling.assignWaiting(TIMEOUT));
    register("w1");
    assertEquals(1, scheduling.assignWaiting(TIMEOUT));
    assertEquals(Optional.of("w1"), job(id).nodeId());
    assertEquals(List.of("scheduled", "assigned"), eventTypes(id));
  }

  @Test
  void jobsOfSilentWorkersMoveToLiveOnes() throws Exception {
    register("old");
    long running = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    ledger.start(running, "old");
    DatasetRef other = fx.dataset("ex", "eth", "2.0.0", "mainnet");
    long stopping =
        admin.deploy(other, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    admin.requestStop(stopping);
    silence("old");
    register("new");

    assertEquals(2, scheduling.rescheduleFromDeadWorkers(TIMEOUT));
    assertEquals(JobStatus.SCHEDULED, job(running).status());
    assertEquals(Optional.of("new"), job(running).nodeId());
    JobEvent moved = queries.events(running).get(2);
    assertEquals("rescheduled", moved.type());
    assertEquals(
        json(
            "{\"status\":\"SCHEDULED\",\"from_node_id\":\"old\",\"node_id\":\"new\","
                + "\"reason\":\"worker old is silent\"}"),
        moved.detail());
    assertEquals(JobStatus.STOPPED, job(stopping).status());
    assertEquals(0, scheduling.rescheduleFromDeadWorkers(TIMEOUT));
    assertFalse(
        ledger.finish(running, "old", JobStatus.COMPLETED, null),
        "the old node's late result is not recorded");
  }

  @Test
  void aStoppingWorkerHandsItsJobBack() throws Exception {
    register("w1");
    long id = admin.deploy(ds, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT).job().id();
    ledger.start(id, "w1");
    assertTrue(ledger.release(id, "w1", "worker w1 is stopping"));
    assertEquals(JobStatus.SCHEDULED, job(id).status());
    assertEquals(Optional.empty(), job(id).nodeId());
    assertEquals("worker_stopped", queries.events(id).get(2).type());
  }
}
