package io.ampd.extract;

import static org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit.MILLIS;
import static org.apache.parquet.schema.LogicalTypeAnnotation.decimalType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import io.ampd.extract.TableSchema.Columns;
import io.ampd.registry.EvmTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.Types;

/**
 * The fixed schemas of the {@code evm-rpc} tables. Every table starts with {@code block_num} (and
 * the block's hash and time), so files of every table can be pruned and joined by block. Hashes are
 * FIXED_LEN_BYTE_ARRAY(32), addresses FIXED_LEN_BYTE_ARRAY(20): half the size of hex, exact width
 * checked at extraction. Amounts of wei are decimal(38,0) in FIXED_LEN_BYTE_ARRAY(16). See {@code
 * .amp.example/manifests/TABLES.md}.
 */
final class Tables {
  private Tables() {}

  static TableSchema<?> of(EvmTable table) {
    return switch (table) {
      case BLOCKS -> BLOCKS;
      case TRANSACTIONS -> TRANSACTIONS;
      case LOGS -> LOGS;
    };
  }

  static final TableSchema<EvmBlock> BLOCKS =
      new TableSchema<>(
          Types.buildMessage()
              .required(INT64)
              .named("block_num")
              .required(INT64)
              .as(timestampType(true, MILLIS))
              .named("timestamp")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("hash")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("parent_hash")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(20)
              .named("miner")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("state_root")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("transactions_root")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("receipts_root")
              .required(INT64)
              .named("gas_used")
              .required(INT64)
              .named("gas_limit")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(16)
              .as(decimalType(0, 38))
              .named("base_fee_per_gas")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(16)
              .as(decimalType(0, 38))
              .named("difficulty")
              .required(INT64)
              .named("size")
              .required(BINARY)
              .named("extra_data")
              .required(INT32)
              .named("transaction_count")
              .named("blocks")) {
        @Override
        void write(Columns out, EvmBlock b) {
          out.int64(0, b.number());
          out.int64(1, b.timestamp() * 1000);
          out.bytes(2, b.hash());
          out.bytes(3, b.parentHash());
          out.bytes(4, b.miner());
          out.bytes(5, b.stateRoot());
          out.bytes(6, b.transactionsRoot());
          out.bytes(7, b.receiptsRoot());
          out.int64(8, b.gasUsed());
          out.int64(9, b.gasLimit());
          out.bytes(10, b.baseFeePerGas());
          out.bytes(11, b.difficulty());
          out.int64(12, b.size());
          out.bytes(13, b.extraData());
          out.int32(14, b.transactionCount());
        }

        @Override
        List<EvmBlock> rows(BlockData block) {
          return List.of(block.block());
        }
      };

  /** A transaction row: the transaction and the block it is in. */
  record TxRow(EvmBlock block, EvmTransaction tx) {}

  static final TableSchema<TxRow> TRANSACTIONS =
      new TableSchema<>(
          Types.buildMessage()
              .required(INT64)
              .named("block_num")
              .required(INT64)
              .as(timestampType(true, MILLIS))
              .named("timestamp")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("block_hash")
              .required(INT32)
              .named("tx_index")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("tx_hash")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(20)
              .named("from")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(20)
              .named("to")
              .required(INT64)
              .named("nonce")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(16)
              .as(decimalType(0, 38))
              .named("value")
              .required(INT64)
              .named("gas")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(16)
              .as(decimalType(0, 38))
              .named("gas_price")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(16)
              .as(decimalType(0, 38))
              .named("max_fee_per_gas")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(16)
              .as(decimalType(0, 38))
              .named("max_priority_fee_per_gas")
              .required(BINARY)
              .named("input")
              .required(INT32)
              .named("type")
              .named("transactions")) {
        @Override
        void write(Columns out, TxRow row) {
          EvmBlock b = row.block();
          EvmTransaction t = row.tx();
          out.int64(0, b.number());
          out.int64(1, b.timestamp() * 1000);
          out.bytes(2, b.hash());
          out.int32(3, t.index());
          out.bytes(4, t.hash());
          out.bytes(5, t.from());
          out.bytes(6, t.to());
          out.int64(7, t.nonce());
          out.bytes(8, t.value());
          out.int64(9, t.gas());
          out.bytes(10, t.gasPrice());
          out.bytes(11, t.maxFeePerGas());
          out.bytes(12, t.maxPriorityFeePerGas());
          out.bytes(13, t.input());
          out.int32(14, t.type());
        }

        @Override
        List<TxRow> rows(BlockData block) {
          List<TxRow> rows = new ArrayList<>(block.block().transactions().size());
          for (EvmTransaction tx : block.block().transactions()) {
            rows.add(new TxRow(block.block(), tx));
          }
          return rows;
        }
      };

  /** A log row: the log and the block's time. */
  record LogRow(long timestamp, EvmLog log) {}

  static final TableSchema<LogRow> LOGS =
      new TableSchema<>(
          Types.buildMessage()
              .required(INT64)
              .named("block_num")
              .required(INT64)
              .as(timestampType(true, MILLIS))
              .named("timestamp")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("block_hash")
              .required(INT32)
              .named("tx_index")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("tx_hash")
              .required(INT32)
              .named("log_index")
              .required(FIXED_LEN_BYTE_ARRAY)
              .length(20)
              .named("address")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("topic0")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("topic1")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("topic2")
              .optional(FIXED_LEN_BYTE_ARRAY)
              .length(32)
              .named("topic3")
              .required(BINARY)
              .named("data")
              .named("logs")) {
        @Override
        void write(Columns out, LogRow row) {
          EvmLog l = row.log();
          out.int64(0, l.blockNumber());
          out.int64(1, row.timestamp() * 1000);
          out.bytes(2, l.blockHash());
          out.int32(3, l.transactionIndex());
          out.bytes(4, l.transactionHash());
          out.int32(5, l.logIndex());
          out.bytes(6, l.address());
          byte[][] topics = l.topics();
          for (int i = 0; i < 4; i++) {
            out.bytes(7 + i, i < topics.length ? topics[i] : null);
          }
          out.bytes(11, l.data());
        }

        @Override
        List<LogRow> rows(BlockData block) {
          List<LogRow> rows = new ArrayList<>(block.logs().size());
          for (EvmLog log : block.logs()) {
            rows.add(new LogRow(block.block().timestamp(), log));
          }
          return rows;
        }
      };
}
