package io.ampd.extract;

import static org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit.MILLIS;
import static org.apache.parquet.schema.LogicalTypeAnnotation.decimalType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.intType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.listType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import io.ampd.extract.TableSchema.Columns;
import io.ampd.registry.EvmTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The fixed schemas of the {@code evm-rpc} tables: Amp's columns, with Amp's names, order and
 * nullability, then ampd's own (a block's {@code size}, the receipt fields Amp leaves out). Every
 * table starts with {@code _block_num} and {@code block_num} (and the block's hash and time), so
 * files of every table can be pruned and joined by block. Hashes are FIXED_LEN_BYTE_ARRAY(32),
 * addresses FIXED_LEN_BYTE_ARRAY(20): half the size of hex, exact width checked at extraction.
 * Amounts of wei are decimal(38,0) in FIXED_LEN_BYTE_ARRAY(16). Where Amp has UInt64 and UInt32,
 * ampd writes signed INT64 and INT32 (every value fits), but for values that use all 64 bits (a
 * block's {@code nonce}, an authorization's chain id and nonce). See {@code
 * .amp.example/manifests/TABLES.md}.
 *
 * <p>Each {@code write} writes the columns in schema order, counting them ({@code c++}).
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

  /**
   * The columns of {@code table} that are ampd's own, not Amp's: an Amp manifest may leave them
   * out (they are written all the same).
   */
  static Set<String> ownColumns(EvmTable table) {
    return switch (table) {
      case BLOCKS -> Set.of("size", "transaction_count");
      case TRANSACTIONS ->
          Set.of(
              "v",
              "effective_gas_price",
              "cumulative_gas_used",
              "contract_address",
              "blob_gas_used",
              "blob_gas_price");
      case LOGS -> Set.of();
    };
  }

  private static Type hash(Type.Repetition repetition, String name) {
    return Types.primitive(FIXED_LEN_BYTE_ARRAY, repetition).length(32).named(name);
  }

  private static Type address(Type.Repetition repetition, String name) {
    return Types.primitive(FIXED_LEN_BYTE_ARRAY, repetition).length(20).named(name);
  }

  private static Type amount(Type.Repetition repetition, String name) {
    return Types.primitive(FIXED_LEN_BYTE_ARRAY, repetition)
        .length(16)
        .as(decimalType(0, 38))
        .named(name);
  }

  private static Type int64(Type.Repetition repetition, String name) {
    return Types.primitive(INT64, repetition).named(name);
  }

  private static Type uint64(Type.Repetition repetition, String name) {
    return Types.primitive(INT64, repetition).as(intType(64, false)).named(name);
  }

  private static Type int32(String name) {
    return Types.required(INT32).named(name);
  }

  private static Type bytes(String name) {
    return Types.required(BINARY).named(name);
  }

  private static Type bool(String name) {
    return Types.required(BOOLEAN).named(name);
  }

  private static Type timestamp() {
    return Types.required(INT64).as(timestampType(true, MILLIS)).named("timestamp");
  }

  /** An optional list of {@code element} (the standard three-level LIST). */
  private static GroupType list(Type.Repetition repetition, String name, Type element) {
    return Types.buildGroup(repetition)
        .as(listType())
        .addField(Types.repeatedGroup().addField(element).named("list"))
        .named(name);
  }

  private static final Type.Repetition REQ = Type.Repetition.REQUIRED;
  private static final Type.Repetition OPT = Type.Repetition.OPTIONAL;

  private static MessageType message(String name, Type... fields) {
    return new MessageType(name, fields);
  }

  static final TableSchema<EvmBlock> BLOCKS =
      new TableSchema<>(
          message(
              "blocks",
              int64(REQ, "_block_num"),
              int64(REQ, "block_num"),
              timestamp(),
              hash(REQ, "hash"),
              hash(REQ, "parent_hash"),
              hash(REQ, "ommers_hash"),
              address(REQ, "miner"),
              hash(REQ, "state_root"),
              hash(REQ, "transactions_root"),
              hash(REQ, "receipt_root"),
              bytes("logs_bloom"),
              amount(REQ, "difficulty"),
              amount(OPT, "total_difficulty"),
              int64(REQ, "gas_limit"),
              int64(REQ, "gas_used"),
              bytes("extra_data"),
              hash(REQ, "mix_hash"),
              uint64(REQ, "nonce"),
              amount(OPT, "base_fee_per_gas"),
              hash(OPT, "withdrawals_root"),
              int64(OPT, "blob_gas_used"),
              int64(OPT, "excess_blob_gas"),
              hash(OPT, "parent_beacon_root"),
              hash(OPT, "requests_hash"),
              // ampd's own
              int64(REQ, "size"),
              int32("transaction_count"))) {
        @Override
        void write(Columns out, EvmBlock b) {
          int c = 0;
          out.int64(c++, b.number());
          out.int64(c++, b.number());
          out.int64(c++, b.timestamp() * 1000);
          out.bytes(c++, b.hash());
          out.bytes(c++, b.parentHash());
          out.bytes(c++, b.ommersHash());
          out.bytes(c++, b.miner());
          out.bytes(c++, b.stateRoot());
          out.bytes(c++, b.transactionsRoot());
          out.bytes(c++, b.receiptsRoot());
          out.bytes(c++, b.logsBloom());
          out.bytes(c++, b.difficulty());
          out.bytes(c++, b.totalDifficulty());
          out.int64(c++, b.gasLimit());
          out.int64(c++, b.gasUsed());
          out.bytes(c++, b.extraData());
          out.bytes(c++, b.mixHash());
          out.int64(c++, b.nonce());
          out.bytes(c++, b.baseFeePerGas());
          out.bytes(c++, b.withdrawalsRoot());
          int64(out, c++, b.blobGasUsed());
          int64(out, c++, b.excessBlobGas());
          out.bytes(c++, b.parentBeaconRoot());
          out.bytes(c++, b.requestsHash());
          out.int64(c++, b.size());
          out.int32(c, b.transactionCount());
        }

        @Override
        List<EvmBlock> rows(BlockData block) {
          return List.of(block.block());
        }
      };

  private static void int64(Columns out, int c, Long v) {
    if (v == null) {
      out.nullValue(c);
    } else {
      out.int64(c, v);
    }
  }

  /** A transaction row: the transaction, its receipt and the block it is in. */
  record TxRow(EvmBlock block, EvmTransaction tx, EvmReceipt receipt) {}

  static final TableSchema<TxRow> TRANSACTIONS =
      new TableSchema<>(
          message(
              "transactions",
              int64(REQ, "_block_num"),
              hash(REQ, "block_hash"),
              int64(REQ, "block_num"),
              timestamp(),
              int32("tx_index"),
              hash(REQ, "tx_hash"),
              address(OPT, "to"),
              int64(REQ, "nonce"),
              amount(OPT, "gas_price"),
              int64(REQ, "gas_limit"),
              amount(REQ, "value"),
              bytes("input"),
              hash(REQ, "r"),
              hash(REQ, "s"),
              bool("v_parity"),
              int64(OPT, "chain_id"),
              int64(REQ, "gas_used"),
              int32("type"),
              amount(OPT, "max_fee_per_gas"),
              amount(OPT, "max_priority_fee_per_gas"),
              amount(OPT, "max_fee_per_blob_gas"),
              address(REQ, "from"),
              bool("status"),
              hash(OPT, "state_root"),
              list(
                  OPT,
                  "access_list",
                  Types.requiredGroup()
                      .addField(address(REQ, "address"))
                      .addField(list(REQ, "storage_keys", hash(REQ, "element")))
                      .named("element")),
              list(OPT, "blob_versioned_hashes", hash(REQ, "element")),
              list(
                  OPT,
                  "authorization_list",
                  Types.requiredGroup()
                      .addField(uint64(REQ, "chain_id"))
                      .addField(address(REQ, "address"))
                      .addField(uint64(REQ, "nonce"))
                      .addField(bool("y_parity"))
                      .addField(hash(REQ, "r"))
                      .addField(hash(REQ, "s"))
                      .named("element")),
              // ampd's own
              int64(REQ, "v"),
              amount(OPT, "effective_gas_price"),
              int64(REQ, "cumulative_gas_used"),
              address(OPT, "contract_address"),
              int64(OPT, "blob_gas_used"),
              amount(OPT, "blob_gas_price"))) {
        @Override
        void write(Columns out, TxRow row) {
          EvmBlock b = row.block();
          EvmTransaction t = row.tx();
          EvmReceipt r = row.receipt();
          int c = 0;
          out.int64(c++, b.number());
          out.bytes(c++, b.hash());
          out.int64(c++, b.number());
          out.int64(c++, b.timestamp() * 1000);
          out.int32(c++, t.index());
          out.bytes(c++, t.hash());
          out.bytes(c++, t.to());
          out.int64(c++, t.nonce());
          out.bytes(c++, t.gasPrice());
          out.int64(c++, t.gas());
          out.bytes(c++, t.value());
          out.bytes(c++, t.input());
          out.bytes(c++, t.r());
          out.bytes(c++, t.s());
          out.bool(c++, t.vParity());
          int64(out, c++, t.chainId());
          out.int64(c++, r.gasUsed());
          out.int32(c++, t.type());
          out.bytes(c++, t.maxFeePerGas());
          out.bytes(c++, t.maxPriorityFeePerGas());
          out.bytes(c++, t.maxFeePerBlobGas());
          out.bytes(c++, t.from());
          out.bool(c++, r.status());
          out.bytes(c++, r.root());
          accessList(out, c, t.accessList());
          c += 2;
          hashList(out, c++, t.blobVersionedHashes());
          authorizations(out, c, t.authorizationList());
          c += 6;
          out.int64(c++, t.v());
          out.bytes(c++, r.effectiveGasPrice());
          out.int64(c++, r.cumulativeGasUsed());
          out.bytes(c++, r.contractAddress());
          int64(out, c++, r.blobGasUsed());
          out.bytes(c, r.blobGasPrice());
        }

        @Override
        List<TxRow> rows(BlockData block) {
          List<EvmTransaction> txs = block.block().transactions();
          List<TxRow> rows = new ArrayList<>(txs.size());
          for (int i = 0; i < txs.size(); i++) {
            rows.add(new TxRow(block.block(), txs.get(i), block.receipts().get(i)));
          }
          return rows;
        }
      };

  /**
   * {@code access_list}: columns {@code c} (address: levels up to 2) and {@code c + 1} (storage
   * keys: a list in the list, levels up to 3).
   */
  private static void accessList(
      Columns out, int c, List<EvmTransaction.AccessListEntry> entries) {
    if (entries == null || entries.isEmpty()) {
      int def = entries == null ? 0 : 1;
      out.level(c, 0, def);
      out.level(c + 1, 0, def);
      return;
    }
    for (int i = 0; i < entries.size(); i++) {
      int rep = i == 0 ? 0 : 1;
      EvmTransaction.AccessListEntry e = entries.get(i);
      out.bytes(c, rep, e.address());
      byte[][] keys = e.storageKeys();
      if (keys.length == 0) {
        out.level(c + 1, rep, 2);
      }
      for (int k = 0; k < keys.length; k++) {
        out.bytes(c + 1, k == 0 ? rep : 2, keys[k]);
      }
    }
  }

  /** An optional list of hashes in column {@code c}. */
  private static void hashList(Columns out, int c, byte[][] hashes) {
    if (hashes == null || hashes.length == 0) {
      out.level(c, 0, hashes == null ? 0 : 1);
      return;
    }
    for (int i = 0; i < hashes.length; i++) {
      out.bytes(c, i == 0 ? 0 : 1, hashes[i]);
    }
  }

  /** {@code authorization_list}: its six columns from {@code c} on. */
  private static void authorizations(
      Columns out, int c, List<EvmTransaction.Authorization> list) {
    if (list == null || list.isEmpty()) {
      for (int k = 0; k < 6; k++) {
        out.level(c + k, 0, list == null ? 0 : 1);
      }
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      int rep = i == 0 ? 0 : 1;
      EvmTransaction.Authorization a = list.get(i);
      out.int64(c, rep, a.chainId());
      out.bytes(c + 1, rep, a.address());
      out.int64(c + 2, rep, a.nonce());
      out.bool(c + 3, rep, a.yParity());
      out.bytes(c + 4, rep, a.r());
      out.bytes(c + 5, rep, a.s());
    }
  }

  /** A log row: the log and the block's time. */
  record LogRow(long timestamp, EvmLog log) {}

  static final TableSchema<LogRow> LOGS =
      new TableSchema<>(
          message(
              "logs",
              int64(REQ, "_block_num"),
              hash(REQ, "block_hash"),
              int64(REQ, "block_num"),
              timestamp(),
              hash(REQ, "tx_hash"),
              int32("tx_index"),
              int32("log_index"),
              address(REQ, "address"),
              hash(OPT, "topic0"),
              hash(OPT, "topic1"),
              hash(OPT, "topic2"),
              hash(OPT, "topic3"),
              bytes("data"))) {
        @Override
        void write(Columns out, LogRow row) {
          EvmLog l = row.log();
          int c = 0;
          out.int64(c++, l.blockNumber());
          out.bytes(c++, l.blockHash());
          out.int64(c++, l.blockNumber());
          out.int64(c++, row.timestamp() * 1000);
          out.bytes(c++, l.transactionHash());
          out.int32(c++, l.transactionIndex());
          out.int32(c++, l.logIndex());
          out.bytes(c++, l.address());
          byte[][] topics = l.topics();
          for (int i = 0; i < 4; i++) {
            out.bytes(c++, i < topics.length ? topics[i] : null);
          }
          out.bytes(c, l.data());
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
