package io.ampd.worker;

import io.ampd.config.PgUrl;
import io.ampd.config.WorkerConfig;
import io.ampd.registry.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a {@link Worker} runs with.
 *
 * @param nodeId its node id ({@link NodeId#validate})
 * @param url the metadata database, for the worker's two dedicated connections (lock, listen)
 * @param config heartbeat and reconcile intervals, segment size
 * @param dataDir root of the Parquet output
 * @param info what it says about itself in {@code workers.info} (version, host, pid)
 * @param stopTimeout how long a shutdown waits for running jobs to stop
 * @param networkTimeout how long those connections wait for the server to answer before they are
 *     given up: {@code metadata_db.network_timeout_secs}, at most half of {@code
 *     controller.worker_timeout_secs} (so a cut-off worker stops its runs before the controller
 *     moves its jobs)
 */
public record WorkerSettings(
    String nodeId,
    PgUrl url,
    WorkerConfig config,
    Path dataDir,
    Map<String, Object> info,
    Duration stopTimeout,
    Duration networkTimeout) {

  /** How long a shutdown waits for running jobs by default. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

  public WorkerSettings {
    NodeId.validate(nodeId);
    info = Map.copyOf(info);
  }
}
