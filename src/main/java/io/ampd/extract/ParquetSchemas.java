package io.ampd.extract;

import io.ampd.registry.EvmTable;
import java.util.Set;
import org.apache.parquet.schema.MessageType;

/** The Parquet schema of each {@code evm-rpc} table, for readers of the files (the server). */
public final class ParquetSchemas {
  private ParquetSchemas() {}

  /** The schema every file of {@code table} has. */
  public static MessageType of(EvmTable table) {
    return Tables.of(table).schema();
  }

  /** The columns of {@code table} that are ampd's own, not Amp's (see TABLES.md). */
  public static Set<String> ownColumns(EvmTable table) {
    return Tables.ownColumns(table);
  }
}
