package io.ampd.extract;

import static org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit.MILLIS;
import static org.apache.parquet.schema.LogicalTypeAnnotation.decimalType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import io.ampd.registry.EvmTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.Types;

/**
 * The fixed schemas of the {@code evm-rpc} tables. Every table starts with {@code block_num}
 * (and the block's hash and time), so files of every table can be pruned and joined by block.
 * Hashes are FIXED_LEN_BYTE_ARRAY(32), addresses FIXED_LEN_BYTE_ARRAY(20): half the size of hex,
 * exact width checked at extraction. Amounts of wei are decimal(38,0) in FIXED_LEN_BYTE_ARRAY(16).
 * See {@code .amp.example/manifests/TABLES.md}.
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
              .required(INT64).named("block_num")
              .required(INT64).as(timestampType(true, MILLIS)).named("timestamp")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("hash")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("parent_hash")
              .required(FIXED_LEN_BYTE_ARRAY).length(20).named("miner")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("state_root")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("transactions_root")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("receipts_root")
              .required(INT64).named("gas_used")
              .required(INT64).named("gas_limit")
              .optional(FIXED_LEN_BYTE_ARRAY).length(16).as(decimalType(0, 38)).named("base_fee_per_gas")
              .required(FIXED_LEN_BYTE_ARRAY).length(16).as(decimalType(0, 38)).named("difficulty")
              .required(INT64).named("size")
              .required(BINARY).named("extra_data")
              .required(INT32).named("transaction_count")
              .named("blocks")) {
        @Override
        void write(RecordConsumer out, EvmBlock b) {
          out.startMessage();
          int64(out, 0, "block_num", b.number());
          int64(out, 1, "timestamp", b.timestamp() * 1000);
          bytes(out, 2, "hash", b.hash());
          bytes(out, 3, "parent_hash", b.parentHash());
          bytes(out, 4, "miner", b.miner());
          bytes(out, 5, "state_root", b.stateRoot());
          bytes(out, 6, "transactions_root", b.transactionsRoot());
          bytes(out, 7, "receipts_root", b.receiptsRoot());
          int64(out, 8, "gas_used", b.gasUsed());
          int64(out, 9, "gas_limit", b.gasLimit());
          decimal38(out, 10, "base_fee_per_gas", b.baseFeePerGas());
          decimal38(out, 11, "difficulty", b.difficulty());
          int64(out, 12, "size", b.size());
          bytes(out, 13, "extra_data", b.extraData());
          int32(out, 14, "transaction_count", b.transactionCount());
          out.endMessage();
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
              .required(INT64).named("block_num")
              .required(INT64).as(timestampType(true, MILLIS)).named("timestamp")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("block_hash")
              .required(INT32).named("tx_index")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("tx_hash")
              .required(FIXED_LEN_BYTE_ARRAY).length(20).named("from")
              .optional(FIXED_LEN_BYTE_ARRAY).length(20).named("to")
              .required(INT64).named("nonce")
              .required(FIXED_LEN_BYTE_ARRAY).length(16).as(decimalType(0, 38)).named("value")
              .required(INT64).named("gas")
              .optional(FIXED_LEN_BYTE_ARRAY).length(16).as(decimalType(0, 38)).named("gas_price")
              .optional(FIXED_LEN_BYTE_ARRAY).length(16).as(decimalType(0, 38)).named("max_fee_per_gas")
              .optional(FIXED_LEN_BYTE_ARRAY).length(16).as(decimalType(0, 38))
              .named("max_priority_fee_per_gas")
              .required(BINARY).named("input")
              .required(INT32).named("type")
              .named("transactions")) {
        @Override
        void write(RecordConsumer out, TxRow row) {
          EvmBlock b = row.block();
          EvmTransaction t = row.tx();
          out.startMessage();
          int64(out, 0, "block_num", b.number());
          int64(out, 1, "timestamp", b.timestamp() * 1000);
          bytes(out, 2, "block_hash", b.hash());
          int32(out, 3, "tx_index", t.index());
          bytes(out, 4, "tx_hash", t.hash());
          bytes(out, 5, "from", t.from());
          bytes(out, 6, "to", t.to());
          int64(out, 7, "nonce", t.nonce());
          decimal38(out, 8, "value", t.value());
          int64(out, 9, "gas", t.gas());
          decimal38(out, 10, "gas_price", t.gasPrice());
          decimal38(out, 11, "max_fee_per_gas", t.maxFeePerGas());
          decimal38(out, 12, "max_priority_fee_per_gas", t.maxPriorityFeePerGas());
          bytes(out, 13, "input", t.input());
          int32(out, 14, "type", t.type());
          out.endMessage();
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

  private static final String[] TOPICS = {"topic0", "topic1", "topic2", "topic3"};

  /** A log row: the log and the block's time. */
  record LogRow(long timestamp, EvmLog log) {}

  static final TableSchema<LogRow> LOGS =
      new TableSchema<>(
          Types.buildMessage()
              .required(INT64).named("block_num")
              .required(INT64).as(timestampType(true, MILLIS)).named("timestamp")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("block_hash")
              .required(INT32).named("tx_index")
              .required(FIXED_LEN_BYTE_ARRAY).length(32).named("tx_hash")
              .required(INT32).named("log_index")
              .required(FIXED_LEN_BYTE_ARRAY).length(20).named("address")
              .optional(FIXED_LEN_BYTE_ARRAY).length(32).named("topic0")
              .optional(FIXED_LEN_BYTE_ARRAY).length(32).named("topic1")
              .optional(FIXED_LEN_BYTE_ARRAY).length(32).named("topic2")
              .optional(FIXED_LEN_BYTE_ARRAY).length(32).named("topic3")
              .required(BINARY).named("data")
              .named("logs")) {
        @Override
        void write(RecordConsumer out, LogRow row) {
          EvmLog l = row.log();
          out.startMessage();
          int64(out, 0, "block_num", l.blockNumber());
          int64(out, 1, "timestamp", row.timestamp() * 1000);
          bytes(out, 2, "block_hash", l.blockHash());
          int32(out, 3, "tx_index", l.transactionIndex());
          bytes(out, 4, "tx_hash", l.transactionHash());
          int32(out, 5, "log_index", l.logIndex());
          bytes(out, 6, "address", l.address());
          byte[][] topics = l.topics();
          for (int i = 0; i < 4; i++) {
            bytes(out, 7 + i, TOPICS[i], i < topics.length ? topics[i] : null);
          }
          bytes(out, 11, "data", l.data());
          out.endMessage();
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
