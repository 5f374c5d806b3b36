package io.ampd.extract;

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
      "SELECT block_num, CAST(epoch(timestamp) AS BIGINT), hex(hash), hex(parent_hash),"
          + " hex(miner), hex(state_root), hex(transactions_root), hex(receipts_root), gas_used,"
          + " gas_limit, CAST(base_fee_per_gas AS VARCHAR), CAST(difficulty AS VARCHAR), size,"
          + " hex(extra_data), transaction_count FROM read_parquet('%s') ORDER BY block_num";
  static final String TRANSACTIONS =
      "SELECT block_num, CAST(epoch(timestamp) AS BIGINT), hex(block_hash), tx_index,"
          + " hex(tx_hash), hex(\"from\"), hex(\"to\"), nonce, CAST(value AS VARCHAR), gas,"
          + " CAST(gas_price AS VARCHAR), CAST(max_fee_per_gas AS VARCHAR),"
          + " CAST(max_priority_fee_per_gas AS VARCHAR), hex(input), type"
          + " FROM read_parquet('%s') ORDER BY block_num, tx_index";
  static final String LOGS =
      "SELECT block_num, CAST(epoch(timestamp) AS BIGINT), hex(block_hash), tx_index,"
          + " hex(tx_hash), log_index, hex(address), hex(topic0), hex(topic1), hex(topic2),"
          + " hex(topic3), hex(data) FROM read_parquet('%s') ORDER BY block_num, log_index";

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
              b.timestamp(),
              hex(b.hash()),
              hex(b.parentHash()),
              hex(b.miner()),
              hex(b.stateRoot()),
              hex(b.transactionsRoot()),
              hex(b.receiptsRoot()),
              b.gasUsed(),
              b.gasLimit(),
              dec(b.baseFeePerGas()),
              dec(b.difficulty()),
              b.size(),
              hex(b.extraData()),
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
                b.timestamp(),
                hex(b.hash()),
                t.index(),
                hex(t.hash()),
                hex(t.from()),
                hex(t.to()),
                t.nonce(),
                dec(t.value()),
                t.gas(),
                dec(t.gasPrice()),
                dec(t.maxFeePerGas()),
                dec(t.maxPriorityFeePerGas()),
                hex(t.input()),
                t.type()));
      }
    }
    return out;
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
                b.timestamp(),
                hex(b.hash()),
                l.txIndex(),
                hex(l.txHash()),
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
