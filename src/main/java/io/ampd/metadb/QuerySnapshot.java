package io.ampd.metadb;

import io.ampd.registry.DatasetRef;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a query may read, as the metadata database recorded it at one moment: for each dataset table
 * the query names, the files of the table's active revision.
 *
 * @param datasets each requested dataset, by the reference the query wrote
 * @param tables each requested table, by the reference the query wrote and the table name
 */
public record QuerySnapshot(
    Map<DatasetRequest, ResolvedDataset> datasets, Map<TableKey, TableFiles> tables) {

  /**
   * A dataset as a query names it: {@code [namespace/]name[@revision]}, namespace {@code _} when
   * absent; the revision is a version, a manifest hash, {@code latest}, or absent (the latest
   * version that has data).
   */
  public record DatasetRequest(String namespace, String name, String revision) {
    /** As written back to people: {@code namespace/name} or {@code namespace/name@revision}. */
    @Override
    public String toString() {
      return namespace + "/" + name + (revision == null ? "" : "@" + revision);
    }
  }

  /** A table of a requested dataset. */
  public record TableKey(DatasetRequest dataset, String table) {}

  /**
   * The dataset version a request resolved to.
   *
   * @param ref the version
   * @param network the network of its manifest
   * @param tables the tables of its manifest
   */
  public record ResolvedDataset(DatasetRef ref, String network, List<String> tables) {}

  /**
   * The files of one table's active revision, in block order; empty when the table has no active
   * revision or no file yet.
   *
   * @param dataset the dataset version
   * @param network its network
   * @param table the table
   * @param revisionPath the revision's directory relative to the data dir, or null without one
   * @param files the recorded files
   * @param lastBlock the last block recorded in the revision, if any
   * @param lastBlockHash that block's hash (32 bytes), or null
   */
  public record TableFiles(
      DatasetRef dataset,
      String network,
      String table,
      String revisionPath,
      List<File> files,
      OptionalLong lastBlock,
      byte[] lastBlockHash) {}

  /** One recorded Parquet file. */
  public record File(String name, long blockStart, long blockEnd, long rowCount, long sizeBytes) {}
}
