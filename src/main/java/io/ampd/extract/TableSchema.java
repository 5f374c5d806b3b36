package io.ampd.extract;

import java.util.List;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * The Parquet schema of one table and how a row of it is written. Column meanings and the
 * reasons for each type are documented in {@code .amp.example/manifests/TABLES.md}.
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

  /** Writes one row: {@code startMessage} … {@code endMessage}. */
  abstract void write(RecordConsumer out, R row);

  /** Rows of one block, in order. */
  abstract List<R> rows(BlockData block);

  static void int64(RecordConsumer out, int index, String name, long v) {
    out.startField(name, index);
    out.addLong(v);
    out.endField(name, index);
  }

  static void int32(RecordConsumer out, int index, String name, int v) {
    out.startField(name, index);
    out.addInteger(v);
    out.endField(name, index);
  }

  static void bytes(RecordConsumer out, int index, String name, byte[] v) {
    if (v != null) {
      out.startField(name, index);
      out.addBinary(Binary.fromConstantByteArray(v));
      out.endField(name, index);
    }
  }

  /** decimal(38,0), already as its 16 big-endian bytes; null writes nothing (optional). */
  static void decimal38(RecordConsumer out, int index, String name, byte[] v) {
    bytes(out, index, name, v);
  }
}
