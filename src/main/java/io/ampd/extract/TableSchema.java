package io.ampd.extract;

import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * The Parquet schema of one table and how a row of it is written. Column meanings and the reasons
 * for each type are documented in {@code .amp.example/manifests/TABLES.md}.
 *
 * @param <R> what one row is made from
 */
abstract class TableSchema<R> {
  private final MessageType schema;

  TableSchema(MessageType schema) {
    this.schema = schema;
  }

  MessageType schema() {
    return schema;
  }

  /** Writes one row: a value (or null, for an optional column) to every column, in order. */
  abstract void write(Columns out, R row);

  /** Rows of one block, in order. */
  abstract List<R> rows(BlockData block);

  /**
   * The column writers of one row group, by column index. The schemas are flat: no repetition, a
   * definition level of 1 for a present optional value and 0 for everything else.
   */
  static final class Columns {
    private final ColumnWriter[] writers;
    private final int[] presentLevel;

    Columns(MessageType schema, ColumnWriteStore store) {
      List<ColumnDescriptor> columns = schema.getColumns();
      writers = new ColumnWriter[columns.size()];
      presentLevel = new int[columns.size()];
      for (int i = 0; i < writers.length; i++) {
        writers[i] = store.getColumnWriter(columns.get(i));
        presentLevel[i] = columns.get(i).getMaxDefinitionLevel();
      }
    }

    void int64(int index, long v) {
      writers[index].write(v, 0, 0);
    }

    void int32(int index, int v) {
      writers[index].write(v, 0, 0);
    }

    /** Bytes (a hash, an address, data, decimal(38,0) bytes); null only in an optional column. */
    void bytes(int index, byte[] v) {
      if (v == null) {
        if (presentLevel[index] == 0) {
          throw new IllegalArgumentException("column " + index + " is required: no null");
        }
        writers[index].writeNull(0, 0);
      } else {
        writers[index].write(Binary.fromConstantByteArray(v), 0, presentLevel[index]);
      }
    }
  }
}
