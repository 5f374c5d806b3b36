package io.ampd.worker;

import io.ampd.registry.DatasetRef;
import io.ampd.registry.EndBlock;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.ProviderConfig;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * Everything a {@link JobRunner} needs, resolved by the worker when the job starts.
 *
 * @param jobId the job
 * @param nodeId the worker running it
 * @param dataset the dataset version it extracts
 * @param manifest that dataset's manifest
 * @param provider the provider to extract from (chosen at deploy)
 * @param metadb the metadata database (files and progress are recorded there)
 * @param dataDir root of the Parquet output ({@code data_dir})
 * @param segmentBlocks blocks per Parquet file
 * @param stop set when the job should stop
 * @param endBlock where the deploy said the job stops (Amp's {@code end_block} of a deploy,
 *     recorded in the job's descriptor); {@link EndBlock#CONTINUOUS} when it said nothing
 */
public record JobContext(
    long jobId,
    String nodeId,
    DatasetRef dataset,
    EvmRpcManifest manifest,
    ProviderConfig provider,
    DataSource metadb,
    Path dataDir,
    int segmentBlocks,
    StopSignal stop,
    EndBlock endBlock) {

  /** A context whose deploy gave no {@code end_block}. */
  public JobContext(
      long jobId,
      String nodeId,
      DatasetRef dataset,
      EvmRpcManifest manifest,
      ProviderConfig provider,
      DataSource metadb,
      Path dataDir,
      int segmentBlocks,
      StopSignal stop) {
    this(
        jobId,
        nodeId,
        dataset,
        manifest,
        provider,
        metadb,
        dataDir,
        segmentBlocks,
        stop,
        EndBlock.CONTINUOUS);
  }
}
