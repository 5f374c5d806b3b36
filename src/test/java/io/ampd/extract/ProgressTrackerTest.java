package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.ConfigLoader;
import io.ampd.config.WorkerConfig;
import io.ampd.metadb.LiveProgress;
import io.ampd.metadb.ProgressRepository;
import io.ampd.testing.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers a run publishes and logs, driven tick by tick with chosen times: the rate over the
 * last minute, the ETA, the log line and what reaches {@code job_progress}.
 */
@ExtendWith(TempDirs.class)
class ProgressTrackerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final List<String> TABLES = List.of("blocks", "logs");

  @Test
  void theRateIsOverTheLastMinuteAndTheEtaFollowsIt() throws Exception {
    try (ExtractFixture f = new ExtractFixture(10)) {
      ProgressRepository repo = new ProgressRepository(f.db.dataSource());
      ProgressTracker t = tracker(f, repo, OptionalLong.of(99_999), OptionalLong.of(999));
      t.tick(0);
      assertEquals(OptionalDouble.empty(), t.rate(), "nothing measured at the start");
      LiveProgress first = repo.find(f.jobId).orElseThrow();
      assertTrue(first.running());
      assertEquals(OptionalLong.of(999), first.fetchedBlock(), "resumed after block 999");
      assertEquals(OptionalLong.of(99_999), first.targetBlock());

      // 100 blocks/s for two minutes, then 10 blocks/s.
      long block = 999; // resumed after block 999
      for (int s = 1; s <= 120; s++) {
        block += 100;
        t.fetched(block, List.of());
        t.tick(s * SECOND);
      }
      assertEquals(100.0, t.rate().getAsDouble(), 1e-9);
      for (int s = 121; s <= 150; s++) {
        block += 10;
        t.fetched(block, List.of());
        t.tick(s * SECOND);
      }
      // The last minute: 30 s at 100, 30 s at 10.
      assertEquals(55.0, t.rate().getAsDouble(), 1e-9);

      LiveProgress p = repo.find(f.jobId).orElseThrow();
      assertEquals(OptionalLong.of(block), p.fetchedBlock());
      assertEquals(55.0, p.blocksPerSecond().getAsDouble(), 1e-9);
      assertEquals(OptionalLong.of((long) Math.ceil((99_999 - block) / 55.0)), p.etaSeconds());
      // 86,700 blocks to go at 55 blocks/s: 1,577 s.
      assertEquals(
          "job "
              + f.jobId
              + ": 13300 of 100000 blocks done (13.3%), fetched to block 13299, committed to 999;"
              + " 55.0 blocks/s over the last minute, ETA 26m17s",
          t.line(p));

      // Nothing moves for a minute: the rate falls to 0 and the ETA is unknown.
      for (int s = 151; s <= 211; s++) {
        t.tick(s * SECOND);
      }
      assertEquals(0.0, t.rate().getAsDouble(), 1e-9);
      assertEquals(OptionalLong.empty(), repo.find(f.jobId).orElseThrow().etaSeconds());
    }
  }

  @Test
  void followingTheHeadTheTargetIsTheConfirmedHead() throws Exception {
    try (ExtractFixture f = new ExtractFixture(10)) {
      ProgressRepository repo = new ProgressRepository(f.db.dataSource());
      ProgressTracker t = tracker(f, repo, OptionalLong.empty(), OptionalLong.empty());
      t.tick(0);
      LiveProgress p = repo.find(f.jobId).orElseThrow();
      assertEquals(OptionalLong.empty(), p.targetBlock());
      assertEquals(
          "job "
              + f.jobId
              + ": 0 blocks done, chain head not known yet, fetched to block none, committed to"
              + " none; rate not measured yet, ETA unknown",
          t.line(p));

      t.head(1_999);
      t.fetched(1_999, List.of());
      t.committed(1_999);
      t.tick(SECOND);
      p = repo.find(f.jobId).orElseThrow();
      assertEquals(OptionalLong.of(1_999), p.targetBlock());
      assertEquals(OptionalLong.of(0), p.etaSeconds(), "caught up");
      assertEquals(
          "job "
              + f.jobId
              + ": 2000 of 2000 blocks done (100.0%) up to the chain head, fetched to block 1999,"
              + " committed to 1999; 2000.0 blocks/s over the last minute, ETA 0s",
          t.line(p));

      t.close();
      LiveProgress end = repo.find(f.jobId).orElseThrow();
      assertFalse(end.running());
      assertEquals(OptionalLong.of(1_999), end.fetchedBlock());
      assertEquals(OptionalDouble.empty(), end.blocksPerSecond());
    }
  }

  @Test
  void unchangedProgressIsWrittenAgainOnlyEveryTenSeconds() throws Exception {
    try (ExtractFixture f = new ExtractFixture(10)) {
      ProgressRepository repo = new ProgressRepository(f.db.dataSource());
      ProgressTracker t = tracker(f, repo, OptionalLong.of(999), OptionalLong.of(499));
      t.tick(0);
      java.time.Instant written = repo.find(f.jobId).orElseThrow().updatedAt();
      // Waiting (the head is below the next block): rate 0 from the second tick on.
      t.tick(SECOND);
      java.time.Instant second = repo.find(f.jobId).orElseThrow().updatedAt();
      assertTrue(second.isAfter(written), "the rate appeared: written");
      for (int s = 2; s < 11; s++) {
        t.tick(s * SECOND);
        assertEquals(second, repo.find(f.jobId).orElseThrow().updatedAt(), "unchanged at " + s);
      }
      t.tick(11 * SECOND);
      assertTrue(repo.find(f.jobId).orElseThrow().updatedAt().isAfter(second), "refreshed");
    }
  }

  @Test
  void theLogIntervalIs15SecondsUnlessConfigured(@TempDir Path dir) throws Exception {
    assertEquals(Duration.ofSeconds(15), EvmRpcJobRunner.DEFAULT_PROGRESS_LOG);
    assertEquals(
        Duration.ofSeconds(15),
        ConfigLoader.load(Optional.empty(), dir, Map.of(), true).worker().progressLogInterval());
    assertEquals(
        Duration.ofSeconds(2),
        ConfigLoader.load(
                Optional.empty(),
                dir,
                Map.of("AMP_CONFIG_WORKER__PROGRESS_LOG_INTERVAL_SECS", "2"),
                true)
            .worker()
            .progressLogInterval());
    assertEquals(
        Duration.ofSeconds(15),
        new WorkerConfig(Duration.ofSeconds(1), Duration.ofSeconds(5), 10).progressLogInterval());
  }

  @Test
  void durationsReadShort() {
    assertEquals("0s", ProgressTracker.duration(0));
    assertEquals("59s", ProgressTracker.duration(59));
    assertEquals("1m00s", ProgressTracker.duration(60));
    assertEquals("59m59s", ProgressTracker.duration(3_599));
    assertEquals("1h00m", ProgressTracker.duration(3_600));
    assertEquals("23h59m", ProgressTracker.duration(86_399));
    assertEquals("2d03h", ProgressTracker.duration(2 * 86_400 + 3 * 3_600 + 59));
  }

  private static ProgressTracker tracker(
      ExtractFixture f, ProgressRepository repo, OptionalLong end, OptionalLong committed) {
    return new ProgressTracker(
        repo, f.jobId, "node-1", TABLES, 0, end, committed, Duration.ofSeconds(15), 0);
  }
}
