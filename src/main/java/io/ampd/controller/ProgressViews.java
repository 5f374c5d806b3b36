package io.ampd.controller;

import io.ampd.metadb.JobStatus;
import io.ampd.metadb.LiveProgress;
import io.ampd.metadb.TableProgress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The JSON of progress: what is committed ({@code extraction_progress} and {@code files}) with what
 * the worker publishes between commits ({@code job_progress}). Amp's fields ({@code current_block},
 * {@code start_block}, {@code files_count}, {@code total_size_bytes}; edgeandnode/ amp,
 * crates/services/admin-api/src/handlers/jobs/progress.rs) keep Amp's meaning: {@code
 * current_block} is the last committed block. ampd adds {@code fetched_block}, {@code
 * target_block}, {@code rows}, {@code segment_rows}, {@code segment_bytes}, {@code
 * blocks_per_second} and {@code eta_seconds}.
 */
final class ProgressViews {
  /** The statuses in which a job's live progress is current: a worker runs it. */
  private static final Set<JobStatus> RUNNING =
      Set.of(JobStatus.RUNNING, JobStatus.STOP_REQUESTED, JobStatus.STOPPING);

  private ProgressViews() {}

  /**
   * A job's live row, if its numbers are current: the run goes on and the job is on a worker. (A
   * worker that died leaves a row saying it runs; the job's status says otherwise.)
   */
  static Optional<LiveProgress> current(Optional<LiveProgress> live, JobStatus status) {
    return live.filter(l -> l.running() && RUNNING.contains(status));
  }

  /**
   * Job-level figures and each table's, keyed by table name.
   *
   * @param tables committed progress of the job's tables
   * @param firstBlocks the first recorded block of each revision that has one
   * @param live the job's live row (current or not), if any
   * @param status the job's status
   */
  static Map<String, Object> job(
      List<TableProgress> tables,
      Map<Long, Long> firstBlocks,
      Optional<LiveProgress> live,
      JobStatus status) {
    Optional<LiveProgress> current = current(live, status);
    OptionalLong committed = OptionalLong.empty();
    boolean allCommitted = !tables.isEmpty();
    for (TableProgress t : tables) {
      if (t.lastBlock().isEmpty()) {
        allCommitted = false;
      } else if (committed.isEmpty() || t.lastBlock().getAsLong() < committed.getAsLong()) {
        committed = t.lastBlock();
      }
    }
    if (!allCommitted) {
      committed = OptionalLong.empty();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("current_block", value(committed));
    putFigures(out, committed, live, current);
    out.put("updated_at", live.map(l -> l.updatedAt().toString()).orElse(null));
    Map<String, Object> byName = new LinkedHashMap<>();
    for (TableProgress t : tables) {
      byName.put(
          t.table(), table(t, Optional.ofNullable(firstBlocks.get(t.revisionId())), live, current));
    }
    out.put("tables", byName);
    return out;
  }

  /**
   * One table: Amp's fields, then ampd's.
   *
   * @param live the writing job's live row, if any
   * @param current the same when its numbers are current
   */
  static Map<String, Object> table(
      TableProgress t,
      Optional<Long> firstBlock,
      Optional<LiveProgress> live,
      Optional<LiveProgress> current) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("current_block", value(t.lastBlock()));
    out.put("start_block", firstBlock.orElse(null));
    out.put("files_count", t.files());
    out.put("total_size_bytes", t.bytes());
    out.put("revision_id", t.revisionId());
    out.put("rows", t.rows());
    putFigures(out, t.lastBlock(), live, current);
    LiveProgress.Pending pending =
        current.map(l -> l.segment().get(t.table())).orElse(LiveProgress.Pending.NONE);
    if (pending == null) {
      pending = LiveProgress.Pending.NONE;
    }
    out.put("segment_rows", pending.rows());
    out.put("segment_bytes", pending.bytes());
    return out;
  }

  /**
   * {@code fetched_block}, {@code target_block}, {@code blocks_per_second}, {@code eta_seconds}.
   */
  private static void putFigures(
      Map<String, Object> out,
      OptionalLong committed,
      Optional<LiveProgress> live,
      Optional<LiveProgress> current) {
    // The live row may lag behind a commit by up to a second: never show less than committed.
    OptionalLong fetched = committed;
    if (current.isPresent() && current.get().fetchedBlock().isPresent()) {
      long f = current.get().fetchedBlock().getAsLong();
      fetched = OptionalLong.of(committed.isPresent() ? Math.max(f, committed.getAsLong()) : f);
    }
    OptionalLong target = live.map(LiveProgress::targetBlock).orElse(OptionalLong.empty());
    OptionalDouble rate = current.map(LiveProgress::blocksPerSecond).orElse(OptionalDouble.empty());
    long startBlock = live.map(LiveProgress::startBlock).orElse(0L);
    out.put("fetched_block", value(fetched));
    out.put("target_block", value(target));
    out.put("blocks_per_second", rate.isPresent() ? round(rate.getAsDouble()) : null);
    out.put("eta_seconds", value(LiveProgress.etaSeconds(fetched, target, rate, startBlock)));
  }

  private static double round(double rate) {
    return Math.round(rate * 100) / 100.0;
  }

  private static Long value(OptionalLong v) {
    return v.isPresent() ? v.getAsLong() : null;
  }
}
