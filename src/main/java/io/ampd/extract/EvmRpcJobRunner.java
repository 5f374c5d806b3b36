package io.ampd.extract;

import io.ampd.config.WorkerConfig;
import io.ampd.metadb.FileRepository;
import io.ampd.metadb.MetadbException;
import io.ampd.metadb.NewFile;
import io.ampd.metadb.ProgressConflictException;
import io.ampd.metadb.ProgressRepository;
import io.ampd.metadb.TableRevision;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.worker.JobContext;
import io.ampd.worker.JobFailedException;
import io.ampd.worker.JobRunner;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts an {@code evm-rpc} dataset: blocks, transactions and logs of a JSON-RPC node into
 * Parquet segments recorded in the metadata database.
 *
 * <h2>Exactly once</h2>
 *
 * A run (first or resumed, on any worker) goes:
 *
 * <ol>
 *   <li>get the job's table revisions, creating them on its first run ({@code writer} = the job);
 *   <li>read their progress: the run continues at {@code last_block + 1} (or the manifest's {@code
 *       start_block});
 *   <li>delete every file in the revision directories that is not recorded in {@code files}:
 *       temporary files, and segments renamed by a run that died before its commit;
 *   <li>per segment: fetch, write temporary files, force them to disk, rename, force the
 *       directories, then one transaction inserts the files and moves every table's progress from
 *       the last block it started from to the segment's last block (compare-and-set).
 * </ol>
 *
 * A crash before the commit leaves at most unrecorded files (deleted by step 3) and no progress; a
 * crash after it leaves the segment recorded with its progress. Progress only moves from the exact
 * previous last block, so no gap and no block twice, even with two workers on one job.
 *
 * <h2>Reorganisations</h2>
 *
 * Every block must continue the block before it ({@link ChainLinks}): a break inside the segment
 * being written abandons it (a transient failure, read again later); a break right after blocks
 * this run or an earlier one recorded is fatal, as recorded files cannot be taken back.
 *
 * <h2>Following the head</h2>
 *
 * Blocks are extracted only once {@code confirmations} blocks are on top of them ({@code
 * eth_blockNumber - confirmations}). Full segments ({@code segmentBlocks}) are written as soon as
 * they are confirmed. At the head a segment fills slowly, so a partial one is written when
 * confirmed blocks have waited {@link #DEFAULT_PARTIAL_FLUSH} without filling it: data stays at
 * most that far behind the confirmed head, at the price of smaller files. The head is polled every
 * {@link #DEFAULT_HEAD_POLL} while waiting. Without {@code end_block} the job runs until stopped;
 * with one it waits for the head as needed and completes after {@code end_block}.
 *
 * <h2>Live progress</h2>
 *
 * Between commits a {@link ProgressTracker} publishes how far the segment in progress got (to
 * {@code job_progress}, about once a second, off the extraction thread) and logs a line every
 * {@link #DEFAULT_PROGRESS_LOG}: blocks done of the total, the rate over the last minute, an ETA.
 *
 * <h2>Stop</h2>
 *
 * The stop signal is checked between requests and every 100 ms while waiting for one; the current
 * segment is then abandoned (temporary files deleted, nothing recorded) and the run returns
 * normally.
 */
public final class EvmRpcJobRunner implements JobRunner {
  public static final Duration DEFAULT_HEAD_POLL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_PARTIAL_FLUSH = Duration.ofSeconds(10);

  /** How often a running job logs its progress ({@code [worker] progress_log_interval_secs}). */
  public static final Duration DEFAULT_PROGRESS_LOG = WorkerConfig.DEFAULT_PROGRESS_LOG_INTERVAL;

  private static final Logger LOG = LoggerFactory.getLogger(EvmRpcJobRunner.class);

  private final Duration headPoll;
  private final Duration partialFlush;
  private final Duration progressLog;
  private final Hooks hooks;

  /** Test seams at the points where a crash matters. */
  interface Hooks {
    Hooks NONE = new Hooks() {};

    /** The segment's files are renamed, not yet recorded. */
    default void afterRename(long first, long last) {}

    /** The segment is recorded. */
    default void afterCommit(long first, long last) {}
  }

  public EvmRpcJobRunner() {
    this(DEFAULT_HEAD_POLL, DEFAULT_PARTIAL_FLUSH);
  }

  /** A runner that logs each running job's progress every {@code progressLog}. */
  public EvmRpcJobRunner(Duration progressLog) {
    this(DEFAULT_HEAD_POLL, DEFAULT_PARTIAL_FLUSH, progressLog, Hooks.NONE);
  }

  public EvmRpcJobRunner(Duration headPoll, Duration partialFlush) {
    this(headPoll, partialFlush, Hooks.NONE);
  }

  EvmRpcJobRunner(Duration headPoll, Duration partialFlush, Hooks hooks) {
    this(headPoll, partialFlush, DEFAULT_PROGRESS_LOG, hooks);
  }

  EvmRpcJobRunner(Duration headPoll, Duration partialFlush, Duration progressLog, Hooks hooks) {
    this.headPoll = headPoll;
    this.partialFlush = partialFlush;
    this.progressLog = progressLog;
    this.hooks = hooks;
  }

  @Override
  public void run(JobContext ctx) throws JobFailedException {
    try {
      extract(ctx);
    } catch (StoppedException e) {
      LOG.info("job {}: stopped; the segment in progress was abandoned", ctx.jobId());
    } catch (MalformedResponseException e) {
      throw JobFailedException.fatal(
          "malformed response from provider " + ctx.provider().name() + ": " + e.getMessage(), e);
    } catch (ResponseTooLargeException e) {
      throw JobFailedException.fatal(e.getMessage(), e);
    } catch (TransientRpcException e) {
      throw JobFailedException.transientFailure(e.getMessage(), e);
    } catch (ProgressConflictException | MetadbException e) {
      throw JobFailedException.transientFailure(e.getMessage(), e);
    } catch (IOException e) {
      throw JobFailedException.transientFailure(
          "cannot write Parquet files under " + ctx.dataDir() + ": " + reason(e), e);
    } catch (JobFailedException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.info("job {}: interrupted", ctx.jobId());
    } catch (Exception e) {
      throw JobFailedException.transientFailure("extraction failed: " + e, e);
    }
  }

  private void extract(JobContext ctx) throws Exception {
    EvmRpcManifest manifest = ctx.manifest();
    FileRepository repo = new FileRepository(ctx.metadb());
    List<String> names = new ArrayList<>();
    for (EvmTable t : manifest.tables()) {
      names.add(t.tableName());
    }
    List<TableRevision> revisions =
        repo.revisionsOfJob(
            ctx.jobId(),
            ctx.dataset(),
            names,
            t -> Layout.revisionPath(ctx.dataset(), t, ctx.jobId()),
            TableSchema.VERSION);
    checkSchemaVersions(ctx, revisions);
    FileRepository.Recorded recorded = commonProgress(repo, revisions);
    OptionalLong progress = recorded.lastBlock();
    List<Segment.Target> targets = new ArrayList<>();
    for (int i = 0; i < revisions.size(); i++) {
      TableRevision revision = revisions.get(i);
      Path dir = ctx.dataDir().resolve(revision.path());
      Files.createDirectories(dir);
      deleteUnrecorded(dir, repo.fileNames(revision.id()));
      targets.add(new Segment.Target(Tables.of(manifest.tables().get(i)), revision, dir));
    }
    long next = progress.isPresent() ? progress.getAsLong() + 1 : manifest.startBlock();
    long end = endBlock(ctx);
    LOG.info(
        "job {}: extracting {} {} blocks {}..{} from provider {} ({}), {}",
        ctx.jobId(),
        ctx.dataset(),
        names,
        manifest.startBlock(),
        end != Long.MAX_VALUE ? Long.toString(end) : "head",
        ctx.provider().name(),
        ctx.provider().redactedUrl(),
        progress.isPresent() ? "resuming at block " + next : "starting");
    Map<String, String> metadata =
        Map.of("ampd.dataset", ctx.dataset().toString(), "ampd.job", Long.toString(ctx.jobId()));
    boolean full = manifest.tables().contains(EvmTable.TRANSACTIONS);
    boolean receipts = full || manifest.tables().contains(EvmTable.LOGS);
    BufferPool buffers = new BufferPool();
    ChainLinks links = new ChainLinks(manifest.confirmations());
    if (progress.isPresent() && recorded.lastBlockHash() != null) {
      links.resume(progress.getAsLong(), recorded.lastBlockHash());
    }
    try (RpcClient rpc = new RpcClient(ctx.provider(), ctx.stop());
        BlockFetcher fetcher =
            new BlockFetcher(
                rpc,
                Math.max(1, ctx.provider().batchSize()), // 0: one block, each call alone
                ctx.provider().concurrency(),
                full,
                receipts,
                ReceiptSource.of(ctx.provider()));
        ProgressTracker tracker = tracker(ctx, names, progress).start()) {
      long safeHead = Long.MIN_VALUE;
      long pendingSince = 0;
      while (next <= end) {
        if (ctx.stop().stopRequested()) {
          throw new StoppedException();
        }
        long limit = Math.min(end, next + ctx.segmentBlocks() - 1);
        if (safeHead < limit) {
          safeHead = fetcher.head() - manifest.confirmations();
          tracker.head(safeHead);
        }
        long last;
        if (safeHead >= limit) {
          last = limit;
        } else if (safeHead >= next) {
          long now = System.nanoTime();
          if (pendingSince == 0) {
            pendingSince = now;
          }
          last = now - pendingSince >= partialFlush.toNanos() ? safeHead : -1;
        } else {
          last = -1;
        }
        if (last < 0) {
          if (ctx.stop().await(headPoll)) {
            throw new StoppedException();
          }
          continue;
        }
        pendingSince = 0;
        long readAhead = Math.min(end, Math.max(last, safeHead));
        List<NewFile> files =
            Segment.write(
                targets,
                next,
                last,
                readAhead,
                fetcher,
                links,
                ctx.stop(),
                metadata,
                buffers,
                tracker);
        hooks.afterRename(next, last);
        repo.recordSegment(files, progress, last, links.lastHash());
        links.recorded();
        tracker.committed(last);
        hooks.afterCommit(next, last);
        LOG.debug("job {}: recorded blocks {}..{}", ctx.jobId(), next, last);
        progress = OptionalLong.of(last);
        next = last + 1;
      }
    }
    LOG.info("job {}: completed at block {}", ctx.jobId(), end);
  }

  private ProgressTracker tracker(JobContext ctx, List<String> tables, OptionalLong committed) {
    return new ProgressTracker(
        new ProgressRepository(ctx.metadb()),
        ctx.jobId(),
        ctx.nodeId(),
        tables,
        ctx.manifest().startBlock(),
        ctx.manifest().endBlock(),
        committed,
        progressLog,
        System.nanoTime());
  }

  /**
   * An I/O failure in words: the JDK's message ({@code No space left on device}; a file system
   * exception's names the file, and the reason where the JDK only gives one as the class).
   */
  static String reason(IOException e) {
    if (e instanceof FileSystemException fs && fs.getReason() == null && fs.getFile() != null) {
      String what =
          e instanceof FileAlreadyExistsException
              ? "exists and is not a folder"
              : e instanceof AccessDeniedException
                  ? "permission denied"
                  : e instanceof NoSuchFileException
                      ? "no such file or folder"
                      : e.getClass().getSimpleName();
      return fs.getFile() + ": " + what;
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /**
   * Refuses revisions whose files are of another schema version than this ampd writes: a revision
   * never mixes files of two versions (readers of a table would see two schemas).
   */
  private static void checkSchemaVersions(JobContext ctx, List<TableRevision> revisions)
      throws JobFailedException {
    for (TableRevision r : revisions) {
      if (r.schemaVersion() != TableSchema.VERSION) {
        throw JobFailedException.fatal(
            "table revision "
                + r.id()
                + " ("
                + r.path()
                + ") holds files of table schema version "
                + r.schemaVersion()
                + (r.schemaVersion() < TableSchema.VERSION
                    ? " (written by an earlier ampd)"
                    : " (written by a later ampd)")
                + ", and this ampd writes version "
                + TableSchema.VERSION
                + "; it does not mix files of two schemas in one revision. Redump the version"
                + " (POST /datasets/"
                + ctx.dataset().namespace()
                + "/"
                + ctx.dataset().name()
                + "/versions/"
                + ctx.dataset().version()
                + "/redump): it writes new revisions from start_block, and queries read the old"
                + " ones until the new ones have caught up",
            null);
      }
    }
  }

  /** What the job's revisions have recorded, which is the same for all of them. */
  private static FileRepository.Recorded commonProgress(
      FileRepository repo, List<TableRevision> revisions) throws JobFailedException {
    List<Long> ids = revisions.stream().map(TableRevision::id).toList();
    Map<Long, FileRepository.Recorded> recorded = repo.recorded(ids);
    Map<Long, OptionalLong> last = new LinkedHashMap<>();
    recorded.forEach((id, r) -> last.put(id, r.lastBlock()));
    OptionalLong common = last.get(ids.get(0));
    for (Map.Entry<Long, OptionalLong> e : last.entrySet()) {
      if (!e.getValue().equals(common)) {
        throw JobFailedException.fatal(
            "table revisions of this job disagree on their progress: "
                + last
                + " (revision id: last block); a job records its tables together, so these come"
                + " from different extractions (revisions activated by hand?): activate"
                + " revisions of one extraction (GET /revisions), or redump the version",
            null);
      }
    }
    return recorded.get(ids.get(0));
  }

  private static void deleteUnrecorded(Path dir, Set<String> recorded) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!recorded.contains(name) && Files.isRegularFile(p)) {
          LOG.info("deleting unrecorded file {} (left by an interrupted run)", p);
          Files.delete(p);
        }
      }
    }
  }

  // ---- the deploy's end_block (Amp's), kept apart from the extraction loop ----

  /**
   * The last block of this run: the manifest's {@code end_block} or the deploy's ({@link
   * JobContext#endBlock}), the lower; {@code Long.MAX_VALUE} when neither gives one. The deploy's
   * {@code "latest"} and {@code "-N"} are read against the confirmed head ({@code eth_blockNumber -
   * confirmations}) when the run starts; an end before {@code start_block} fails the job for good.
   */
  private static long endBlock(JobContext ctx) throws Exception {
    EvmRpcManifest manifest = ctx.manifest();
    long end = manifest.endBlock().orElse(Long.MAX_VALUE);
    if (ctx.endBlock() == null || ctx.endBlock().continuous()) {
      return end;
    }
    long deployed;
    if (ctx.endBlock().absolute().isPresent()) {
      deployed = ctx.endBlock().absolute().getAsLong();
    } else {
      try (RpcClient rpc = new RpcClient(ctx.provider(), ctx.stop());
          BlockFetcher fetcher = new BlockFetcher(rpc, 1, 1, false)) {
        deployed = ctx.endBlock().resolve(fetcher.head() - manifest.confirmations());
      }
    }
    if (deployed < manifest.startBlock()) {
      throw JobFailedException.fatal(
          "end_block "
              + ctx.endBlock().toJson()
              + " is block "
              + deployed
              + ", before the manifest's start_block "
              + manifest.startBlock(),
          null);
    }
    return Math.min(end, deployed);
  }
}
