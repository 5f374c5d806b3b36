package io.ampd.extract;

import io.ampd.registry.EvmTable;
import org.apache.parquet.schema.MessageType;

/** The Parquet schema of each {@code evm-rpc} table, for readers of the files (the server). */
public final class ParquetSchemas {
  private ParquetSchemas() {}

  /** The schema every file of {@code table} has. */
  public static MessageType of(EvmTable table) {
    return Tables.of(table).schema();
  }
}
