package io.ampd.extract;

import io.ampd.metadb.LiveProgress;
import io.ampd.metadb.ProgressRepository;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live progress of one run, between the commits of its segments: the last block fetched (handed to
 * the segment's writers), the rows and bytes of the segment in progress, the target block, and the
 * blocks fetched per second over the last {@link #RATE_WINDOW}.
 *
 * <p>The extraction thread only records numbers in memory ({@link #fetched}, {@link #committed},
 * {@link #head}); a thread of its own ({@code progress-<job>}) publishes them to {@code
 * job_progress} every {@link #PUBLISH_INTERVAL} when they changed (and at least every {@link
 * #REFRESH}), one autocommit upsert, and logs a line every {@code logInterval}: blocks done of the
 * total, the rate and an ETA. So the metadata database sees at most one write a second per running
 * job, none of them in the segment's commit, and a failed write only costs a warning. {@link
 * #close} writes the run's end: {@code running} false and the fetched block back at the committed
 * one (an abandoned segment is gone).
 */
final class ProgressTracker implements AutoCloseable {
  /** How often the live progress is published (when it changed). */
  static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(1);

  /** Unchanged progress is published again this often, so its {@code updated_at} stays fresh. */
  static final Duration REFRESH = Duration.ofSeconds(10);

  /** The rate is measured over this much of the recent past. */
  static final Duration RATE_WINDOW = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(ProgressTracker.class);

  /** What the extraction thread last recorded; replaced whole, read by the publishing thread. */
  private record Snapshot(
      long fetched, long committed, long head, LiveProgress.Pending[] segment) {}

  private final ProgressRepository repo;
  private final long jobId;
  private final String nodeId;
  private final List<String> tables;
  private final long startBlock;
  private final OptionalLong endBlock;
  private final long logIntervalNanos;
  private volatile Snapshot snapshot;

  // The publishing thread's own (tick is never run by two threads at once).
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();
  private long lastLog;
  private long lastPublish;
  private LiveProgress published;
  private String publishFailure;
  private ScheduledExecutorService timer;

  /**
   * @param committed the last block recorded before this run (empty: none)
   * @param startBlock the dataset's first block
   * @param endBlock its last, if it has one
   * @param logInterval how often a line is logged
   * @param now {@link System#nanoTime()} at the start of the run
   */
  ProgressTracker(
      ProgressRepository repo,
      long jobId,
      String nodeId,
      List<String> tables,
      long startBlock,
      OptionalLong endBlock,
      OptionalLong committed,
      Duration logInterval,
      long now) {
    this.repo = repo;
    this.jobId = jobId;
    this.nodeId = nodeId;
    this.tables = List.copyOf(tables);
    this.startBlock = startBlock;
    this.endBlock = endBlock;
    this.logIntervalNanos = logInterval.toNanos();
    long last = committed.isPresent() ? committed.getAsLong() : startBlock - 1;
    this.snapshot = new Snapshot(last, last, Long.MIN_VALUE, emptySegment());
    samples.add(new long[] {now, last});
    lastLog = now;
  }

  /** Publishes at once, then every {@link #PUBLISH_INTERVAL} on a thread of its own. */
  ProgressTracker start() {
    tick(System.nanoTime());
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "progress-" + jobId);
              t.setDaemon(true);
              return t;
            });
    long period = PUBLISH_INTERVAL.toMillis();
    timer.scheduleAtFixedRate(() -> tick(System.nanoTime()), period, period, TimeUnit.MILLISECONDS);
    return this;
  }

  // ---- the extraction thread ----

  /** The confirmed chain head ({@code eth_blockNumber - confirmations}) as last read. */
  void head(long confirmedHead) {
    Snapshot s = snapshot;
    snapshot = new Snapshot(s.fetched(), s.committed(), confirmedHead, s.segment());
  }

  /** Blocks up to {@code block} are written into the segment's files (one per table). */
  void fetched(long block, List<ParquetTableFile<?>> files) {
    LiveProgress.Pending[] segment = new LiveProgress.Pending[tables.size()];
    for (int i = 0; i < segment.length; i++) {
      ParquetTableFile<?> f = i < files.size() ? files.get(i) : null;
      segment[i] =
          f == null ? LiveProgress.Pending.NONE : new LiveProgress.Pending(f.rows(), f.bytes());
    }
    Snapshot s = snapshot;
    snapshot = new Snapshot(block, s.committed(), s.head(), segment);
  }

  /** Blocks up to {@code block} are recorded (the segment's transaction committed). */
  void committed(long block) {
    Snapshot s = snapshot;
    snapshot = new Snapshot(Math.max(s.fetched(), block), block, s.head(), emptySegment());
  }

  // ---- the publishing thread ----

  /** One round at {@code now} ({@link System#nanoTime()}): measure, publish, log when due. */
  void tick(long now) {
    Snapshot s = snapshot;
    samples.add(new long[] {now, s.fetched()});
    long windowStart = now - RATE_WINDOW.toNanos();
    // Keeps the newest sample at or before the window's start, so the window spans a minute.
    while (samples.size() > 2 && nth(1)[0] <= windowStart) {
      samples.removeFirst();
    }
    LiveProgress live = live(s, rate(), true);
    boolean changed = published == null || !live.equals(published);
    if (changed || now - lastPublish >= REFRESH.toNanos()) {
      publish(live);
      lastPublish = now;
    }
    // Half a tick early rather than a tick late.
    if (now - lastLog >= logIntervalNanos - PUBLISH_INTERVAL.toNanos() / 2) {
      lastLog = now;
      LOG.info(line(live));
    }
  }

  private long[] nth(int index) {
    var it = samples.iterator();
    for (int i = 0; i < index; i++) {
      it.next();
    }
    return it.next();
  }

  /** Blocks fetched per second across the samples: empty until they span a second. */
  OptionalDouble rate() {
    long[] first = samples.peekFirst();
    long[] last = samples.peekLast();
    long nanos = last[0] - first[0];
    if (nanos < PUBLISH_INTERVAL.toNanos() / 2) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(Math.max(0, last[1] - first[1]) * 1e9 / nanos);
  }

  /** What is published: this run's numbers, or ({@code running} false) its end. */
  private LiveProgress live(Snapshot s, OptionalDouble rate, boolean running) {
    OptionalLong target =
        endBlock.isPresent()
            ? endBlock
            : s.head() == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(s.head());
    long fetched = running ? s.fetched() : s.committed();
    Map<String, LiveProgress.Pending> segment = new LinkedHashMap<>();
    for (int i = 0; i < tables.size(); i++) {
      segment.put(tables.get(i), running ? s.segment()[i] : LiveProgress.Pending.NONE);
    }
    return new LiveProgress(
        jobId,
        nodeId,
        startBlock,
        fetched >= startBlock ? OptionalLong.of(fetched) : OptionalLong.empty(),
        target,
        running ? rate : OptionalDouble.empty(),
        segment,
        running,
        null);
  }

  private void publish(LiveProgress live) {
    try {
      repo.publish(live);
      published = live;
      if (publishFailure != null) {
        LOG.info("job {}: live progress is published again", jobId);
        publishFailure = null;
      }
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      if (!message.equals(publishFailure)) {
        LOG.warn("job {}: cannot publish live progress (extraction goes on): {}", jobId, message);
      }
      publishFailure = message;
    }
  }

  /**
   * The periodic line: {@code job 3: 4250 of 10000 blocks done (42.5%), fetched to block 4249,
   * committed to 3999; 95.3 blocks/s over the last minute, ETA 1m00s}.
   */
  String line(LiveProgress live) {
    Snapshot s = snapshot;
    long done = Math.max(0, s.fetched() - startBlock + 1);
    StringBuilder out = new StringBuilder("job ").append(jobId).append(": ");
    if (live.targetBlock().isPresent()) {
      long total = Math.max(0, live.targetBlock().getAsLong() - startBlock + 1);
      out.append(done).append(" of ").append(total).append(" blocks done");
      if (total > 0) {
        out.append(String.format(Locale.ROOT, " (%.1f%%)", Math.min(100.0, done * 100.0 / total)));
      }
      if (endBlock.isEmpty()) {
        out.append(" up to the chain head");
      }
    } else {
      out.append(done).append(" blocks done, chain head not known yet");
    }
    out.append(", fetched to block ")
        .append(s.fetched() >= startBlock ? Long.toString(s.fetched()) : "none")
        .append(", committed to ")
        .append(s.committed() >= startBlock ? Long.toString(s.committed()) : "none")
        .append("; ");
    if (live.blocksPerSecond().isPresent()) {
      out.append(
          String.format(
              Locale.ROOT,
              "%.1f blocks/s over the last minute",
              live.blocksPerSecond().getAsDouble()));
    } else {
      out.append("rate not measured yet");
    }
    OptionalLong eta = live.etaSeconds();
    out.append(", ETA ").append(eta.isPresent() ? duration(eta.getAsLong()) : "unknown");
    return out.toString();
  }

  /** {@code 12s}, {@code 4m07s}, {@code 3h05m}, {@code 2d03h}. */
  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", seconds / 86_400, seconds % 86_400 / 3600);
  }

  private LiveProgress.Pending[] emptySegment() {
    LiveProgress.Pending[] out = new LiveProgress.Pending[tables.size()];
    Arrays.fill(out, LiveProgress.Pending.NONE);
    return out;
  }

  /** Stops publishing and writes the run's end (best effort: a failure is logged). */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdown(); // a round under way finishes; no new one starts
      try {
        timer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      repo.publish(live(snapshot, OptionalDouble.empty(), false));
    } catch (RuntimeException e) {
      LOG.debug("job {}: cannot record the end of its live progress: {}", jobId, e.getMessage());
    }
  }
}
