package io.ampd.metadb;

import java.util.OptionalLong;

/**
 * Progress of one table written by a job.
 *
 * @param table the table name (blocks, transactions, logs)
 * @param revisionId the table revision the job writes
 * @param lastBlock last block recorded, empty before the first segment
 * @param files Parquet files recorded
 * @param rows rows in them
 * @param bytes their size
 */
public record TableProgress(
    String table, long revisionId, OptionalLong lastBlock, long files, long rows, long bytes) {}
