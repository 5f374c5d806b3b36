package io.ampd.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.testing.SyntheticChain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads extracted Parquet back with DuckDB (a different Parquet implementation than the writer) and
 * renders every column of every row as one {@code |}-separated line, next to the same lines built
 * from the {@link SyntheticChain} the node served. Hashes and addresses compare as hex, decimals as
 * their decimal digits, timestamps as epoch seconds.
 */
final class ParquetReadback {
  private ParquetReadback() {}

  static final String BLOCKS =
      "SELECT _block_num, block_num, CAST(epoch(timestamp) AS BIGINT), hex(hash),"
          + " hex(parent_hash), hex(ommers_hash), hex(miner), hex(state_root),"
          + " hex(transactions_root), hex(receipt_root), hex(logs_bloom),"
          + " CAST(difficulty AS VARCHAR), CAST(total_difficulty AS VARCHAR), gas_limit, gas_used,"
          + " hex(extra_data), hex(mix_hash), CAST(nonce AS VARCHAR),"
          + " CAST(base_fee_per_gas AS VARCHAR), hex(withdrawals_root), blob_gas_used,"
          + " excess_blob_gas, hex(parent_beacon_root), hex(requests_hash), size,"
          + " transaction_count FROM read_parquet('%s') ORDER BY block_num";
  static final String TRANSACTIONS =
      "SELECT _block_num, hex(block_hash), block_num, CAST(epoch(timestamp) AS BIGINT), tx_index,"
          + " hex(tx_hash), hex(\"to\"), nonce, CAST(gas_price AS VARCHAR), gas_limit,"
          + " CAST(value AS VARCHAR), hex(input), hex(r), hex(s), v_parity, chain_id, gas_used,"
          + " type, CAST(max_fee_per_gas AS VARCHAR), CAST(max_priority_fee_per_gas AS VARCHAR),"
          + " CAST(max_fee_per_blob_gas AS VARCHAR), hex(\"from\"), status, hex(state_root),"
          + " CAST(to_json(list_transform(access_list, lambda e: struct_pack("
          + "address := hex(e.address),"
          + " storage_keys := list_transform(e.storage_keys, lambda k: hex(k))))) AS VARCHAR),"
          + " CAST(to_json(list_transform(blob_versioned_hashes, lambda h: hex(h))) AS VARCHAR),"
          + " CAST(to_json(list_transform(authorization_list, lambda a: struct_pack("
          + "chain_id := CAST(a.chain_id AS VARCHAR), address := hex(a.address),"
          + " nonce := CAST(a.nonce AS VARCHAR), y_parity := a.y_parity, r := hex(a.r),"
          + " s := hex(a.s)))) AS VARCHAR),"
          + " v, CAST(effective_gas_price AS VARCHAR), cumulative_gas_used,"
          + " hex(contract_address), blob_gas_used, CAST(blob_gas_price AS VARCHAR)"
          + " FROM read_parquet('%s') ORDER BY block_num, tx_index";
  static final String LOGS =
      "SELECT _block_num, hex(block_hash), block_num, CAST(epoch(timestamp) AS BIGINT),"
          + " hex(tx_hash), tx_index, log_index, hex(address), hex(topic0), hex(topic1),"
          + " hex(topic2), hex(topic3), hex(data) FROM read_parquet('%s')"
          + " ORDER BY block_num, log_index";

  /** The receipt columns of every transaction, for counts and checks across runs. */
  static final String RECEIPTS =
      "SELECT block_num, tx_index, status, gas_used, cumulative_gas_used"
          + " FROM read_parquet('%s') ORDER BY block_num, tx_index";

  /**
   * Asserts that {@code dir} read by {@code query} gives {@code expected}, naming the first row
   * and column that differ (a whole table in a message is unreadable).
   */
  static void assertRows(List<String> expected, Path dir, String query) throws SQLException {
    List<String> actual = read(dir, query);
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        String[] e = expected.get(i).split("\\|", -1);
        String[] a = actual.get(i).split("\\|", -1);
        int c = 0;
        while (c < Math.min(e.length, a.length) && e[c].equals(a[c])) {
          c++;
        }
        throw new AssertionError(
            "row "
                + i
                + " of "
                + dir.getFileName()
                + ", column "
                + c
                + ": expected "
                + (c < e.length ? e[c] : "<none>")
                + " but was "
                + (c < a.length ? a[c] : "<none>")
                + "\nexpected: "
                + expected.get(i)
                + "\nactual:   "
                + actual.get(i));
      }
    }
    if (expected.size() != actual.size()) {
      throw new AssertionError(
          dir + ": expected " + expected.size() + " rows but read " + actual.size());
    }
  }

  /** Every row of the Parquet files under {@code dir}, by {@code query}. */
  static List<String> read(Path dir, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(String.format(Locale.ROOT, query, dir.resolve("*.parquet")))) {
      int columns = r.getMetaData().getColumnCount();
      List<String> out = new ArrayList<>();
      while (r.next()) {
        StringBuilder line = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          if (i > 1) {
            line.append('|');
          }
          line.append(r.getString(i));
        }
        out.add(line.toString());
      }
      return out;
    }
  }

  /** {@code name:type:length:logical} of each column of one file, from DuckDB's schema reader. */
  static List<String> schema(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT name, type, type_length, converted_type, precision, scale"
                    + " FROM parquet_schema('"
                    + file
                    + "') WHERE type IS NOT NULL")) {
      List<String> out = new ArrayList<>();
      while (r.next()) {
        out.add(
            r.getString(1)
                + ":"
                + r.getString(2)
                + ":"
                + r.getString(3)
                + ":"
                + r.getString(4)
                + ":"
                + r.getString(5)
                + ":"
                + r.getString(6));
      }
      return out;
    }
  }

  static List<String> expectedBlocks(SyntheticChain chain, long first, long last) {
    List<String> out = new ArrayList<>();
    for (long n = first; n <= last; n++) {
      SyntheticChain.Block b = chain.block(n);
      out.add(
          join(
              b.number(),
              b.number(),
              b.timestamp(),
              hex(b.hash()),
              hex(b.parentHash()),
              hex(b.ommersHash()),
              hex(b.miner()),
              hex(b.stateRoot()),
              hex(b.transactionsRoot()),
              hex(b.receiptsRoot()),
              hex(b.logsBloom()),
              dec(b.difficulty()),
              dec(b.totalDifficulty()),
              b.gasLimit(),
              b.gasUsed(),
              hex(b.extraData()),
              hex(b.mixHash()),
              new BigInteger(b.nonce().substring(2), 16),
              dec(b.baseFeePerGas()),
              hex(b.withdrawalsRoot()),
              b.blobGasUsed(),
              b.excessBlobGas(),
              hex(b.parentBeaconRoot()),
              hex(b.requestsHash()),
              b.size(),
              b.transactions().size()));
    }
    return out;
  }

  static List<String> expectedTransactions(SyntheticChain chain, long first, long last) {
    List<String> out = new ArrayList<>();
    for (long n = first; n <= last; n++) {
      SyntheticChain.Block b = chain.block(n);
      for (SyntheticChain.Tx t : b.transactions()) {
        out.add(
            join(
                n,
                hex(b.hash()),
                n,
                b.timestamp(),
                t.index(),
                hex(t.hash()),
                hex(t.to()),
                t.nonce(),
                dec(t.gasPrice()),
                t.gas(),
                dec(t.value()),
                hex(t.input()),
                hex(t.r()),
                hex(t.s()),
                t.yParity(),
                t.chainId(),
                t.gasUsed(),
                t.type(),
                dec(t.maxFeePerGas()),
                dec(t.maxPriorityFeePerGas()),
                dec(t.maxFeePerBlobGas()),
                hex(t.from()),
                t.status(),
                hex(t.root()),
                accessList(t.accessList()),
                hashes(t.blobVersionedHashes()),
                authorizations(t.authorizationList()),
                t.v(),
                dec(t.effectiveGasPrice()),
                t.cumulativeGasUsed(),
                hex(t.contractAddress()),
                t.blobGasUsed(),
                dec(t.blobGasPrice())));
      }
    }
    return out;
  }

  /** {@link #RECEIPTS} as the chain has them. */
  static List<String> expectedReceipts(SyntheticChain chain, long first, long last) {
    List<String> out = new ArrayList<>();
    for (long n = first; n <= last; n++) {
      for (SyntheticChain.Tx t : chain.block(n).transactions()) {
        out.add(join(n, t.index(), t.status(), t.gasUsed(), t.cumulativeGasUsed()));
      }
    }
    return out;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String accessList(List<SyntheticChain.AccessListEntry> list) {
    if (list == null) {
      return null;
    }
    ArrayNode out = JSON.createArrayNode();
    for (SyntheticChain.AccessListEntry e : list) {
      ObjectNode o = out.addObject();
      o.put("address", hex(e.address()));
      ArrayNode keys = o.putArray("storage_keys");
      e.storageKeys().forEach(k -> keys.add(hex(k)));
    }
    return out.toString();
  }

  private static String hashes(List<String> list) {
    if (list == null) {
      return null;
    }
    ArrayNode out = JSON.createArrayNode();
    list.forEach(h -> out.add(hex(h)));
    return out.toString();
  }

  private static String authorizations(List<SyntheticChain.Authorization> list) {
    if (list == null) {
      return null;
    }
    ArrayNode out = JSON.createArrayNode();
    for (SyntheticChain.Authorization a : list) {
      ObjectNode o = out.addObject();
      o.put("chain_id", a.chainId().toString());
      o.put("address", hex(a.address()));
      o.put("nonce", a.nonce().toString());
      o.put("y_parity", a.yParity());
      o.put("r", hex(a.r()));
      o.put("s", hex(a.s()));
    }
    return out.toString();
  }

  static List<String> expectedLogs(SyntheticChain chain, long first, long last) {
    List<String> out = new ArrayList<>();
    for (long n = first; n <= last; n++) {
      SyntheticChain.Block b = chain.block(n);
      for (SyntheticChain.Log l : b.logs()) {
        List<String> topics = l.topics();
        out.add(
            join(
                n,
                hex(b.hash()),
                n,
                b.timestamp(),
                hex(l.txHash()),
                l.txIndex(),
                l.logIndex(),
                hex(l.address()),
                hex(topics.size() > 0 ? topics.get(0) : null),
                hex(topics.size() > 1 ? topics.get(1) : null),
                hex(topics.size() > 2 ? topics.get(2) : null),
                hex(topics.size() > 3 ? topics.get(3) : null),
                hex(l.data())));
      }
    }
    return out;
  }

  private static String hex(String s) {
    return s == null ? null : s.substring(2).toUpperCase(Locale.ROOT);
  }

  private static String dec(BigInteger v) {
    return v == null ? null : v.toString();
  }

  private static String join(Object... values) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.append('|');
      }
      out.append(values[i]);
    }
    return out.toString();
  }
}
