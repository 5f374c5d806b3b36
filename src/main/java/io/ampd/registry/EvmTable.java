package io.ampd.registry;

/** The tables an {@code evm-rpc} dataset has; their Parquet schemas are fixed and documented. */
public enum EvmTable {
  BLOCKS("blocks"),
  TRANSACTIONS("transactions"),
  LOGS("logs");

  private final String tableName;

  EvmTable(String tableName) {
    this.tableName = tableName;
  }

  /** The name used in manifests, paths and the {@code table_revisions} table. */
  public String tableName() {
    return tableName;
  }
}
