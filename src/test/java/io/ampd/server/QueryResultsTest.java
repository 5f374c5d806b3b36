package io.ampd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.SyntheticChain.Block;
import io.ampd.testing.SyntheticChain.Log;
import io.ampd.testing.SyntheticChain.Tx;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queries over a known chain (3,000 blocks of {@link SyntheticChain}(42), extracted in three
 * segments of 1,500 blocks, row groups of 1,000) answer exactly what the chain itself gives,
 * computed here from the chain and not from the files: through JSON Lines (JDK HttpClient) and
 * through Flight (the Arrow Flight SQL JDBC driver).
 */
class QueryResultsTest {
  private static final long BLOCKS = 3_000;
  private static final String B = "\"example/mainnet\".blocks";
  private static final String T = "\"example/mainnet@1.0.0\".transactions";
  private static final String L = "\"example/mainnet\".logs";

  private static ServerFixture f;
  private static SyntheticChain chain;

  @BeforeAll
  static void extract() throws Exception {
    f = ServerFixture.extracted(BLOCKS, 1_500);
    chain = f.chain;
  }

  @AfterAll
  static void close() {
    if (f != null) {
      f.close();
    }
  }

  private static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }

  private static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.substring(2));
  }

  @Test
  void pointLookupOfABlockGivesEveryValueAsTheChain() throws Exception {
    for (long n : new long[] {0, 7, 49, 50, 1234, 2999}) {
      Block b = chain.block(n);
      List<JsonNode> rows =
          f.rows(
              "SELECT block_num, timestamp, hash, parent_hash, miner, gas_used, gas_limit,"
                  + " base_fee_per_gas, difficulty, size, extra_data, transaction_count FROM "
                  + B
                  + " WHERE block_num = "
                  + n);
      assertEquals(1, rows.size());
      JsonNode r = rows.get(0);
      assertEquals(n, r.get("block_num").asLong());
      assertEquals(
          Instant.ofEpochSecond(b.timestamp()).toString().replace("Z", ".000Z"),
          r.get("timestamp").asText());
      assertEquals(b.hash(), r.get("hash").asText());
      assertEquals(b.parentHash(), r.get("parent_hash").asText());
      assertEquals(b.miner(), r.get("miner").asText());
      assertEquals(b.gasUsed(), r.get("gas_used").asLong());
      assertEquals(b.gasLimit(), r.get("gas_limit").asLong());
      if (b.baseFeePerGas() == null) {
        assertTrue(r.get("base_fee_per_gas").isNull(), r.toString());
      } else {
        assertEquals(b.baseFeePerGas().toString(), r.get("base_fee_per_gas").asText());
      }
      // above 64 bits every 100 blocks: exact, as a string
      assertTrue(r.get("difficulty").isTextual(), r.toString());
      assertEquals(b.difficulty().toString(), r.get("difficulty").asText());
      assertEquals(b.size(), r.get("size").asLong());
      assertEquals(b.extraData(), r.get("extra_data").asText());
      assertEquals(b.transactions().size(), r.get("transaction_count").asInt());
    }
  }

  @Test
  void aBlockRangeGivesItsBlocksInOrder() throws Exception {
    List<JsonNode> rows =
        f.rows(
            "SELECT block_num, hash FROM "
                + B
                + " WHERE block_num BETWEEN 1500 AND 2499 ORDER BY 1");
    assertEquals(1000, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(1500 + i, rows.get(i).get("block_num").asLong());
      assertEquals(chain.blockHash(1500 + i), rows.get(i).get("hash").asText());
    }
  }

  @Test
  void aggregatesOfTransactionsMatchTheChain() throws Exception {
    Map<Long, long[]> counts = new TreeMap<>();
    Map<Long, BigInteger> totals = new HashMap<>();
    for (long n = 0; n < BLOCKS; n++) {
      for (Tx tx : chain.block(n).transactions()) {
        counts.computeIfAbsent(n, k -> new long[1])[0]++;
        totals.merge(n, tx.value(), BigInteger::add);
      }
    }
    List<JsonNode> rows =
        f.rows(
            "SELECT block_num, count(*) AS n, sum(value) AS total FROM "
                + T
                + " GROUP BY block_num ORDER BY block_num");
    assertEquals(counts.size(), rows.size());
    int i = 0;
    for (Map.Entry<Long, long[]> e : counts.entrySet()) {
      JsonNode r = rows.get(i++);
      assertEquals(e.getKey(), r.get("block_num").asLong());
      assertEquals(e.getValue()[0], r.get("n").asLong());
      assertEquals(totals.get(e.getKey()).toString(), r.get("total").asText());
    }
  }

  @Test
  void topSendersMatchTheChain() throws Exception {
    Map<String, Integer> bySender = new HashMap<>();
    for (long n = 0; n < BLOCKS; n++) {
      for (Tx tx : chain.block(n).transactions()) {
        bySender.merge(tx.from(), 1, Integer::sum);
      }
    }
    List<Map.Entry<String, Integer>> expected = new ArrayList<>(bySender.entrySet());
    expected.sort(
        (a, b) ->
            a.getValue().equals(b.getValue())
                ? a.getKey().compareTo(b.getKey())
                : b.getValue() - a.getValue());
    List<JsonNode> rows =
        f.rows(
            "SELECT \"from\" AS sender, count(*) AS txs FROM "
                + T
                + " GROUP BY 1 ORDER BY txs DESC, sender LIMIT 10");
    assertEquals(10, rows.size());
    for (int i = 0; i < 10; i++) {
      assertEquals(expected.get(i).getKey(), rows.get(i).get("sender").asText());
      assertEquals((int) expected.get(i).getValue(), rows.get(i).get("txs").asInt());
    }
  }

  @Test
  void logsJoinTransactionsAndBlocksAsInTheChain() throws Exception {
    List<String> expected = new ArrayList<>();
    for (long n = 100; n <= 299; n++) {
      Block b = chain.block(n);
      for (Log log : b.logs()) {
        Tx tx = b.transactions().get(log.txIndex());
        expected.add(
            n
                + " "
                + log.logIndex()
                + " "
                + tx.from()
                + " "
                + b.miner()
                + " "
                + (log.topics().isEmpty() ? "null" : log.topics().get(0)));
      }
    }
    List<JsonNode> rows =
        f.rows(
            "SELECT l.block_num, l.log_index, t.\"from\", b.miner, l.topic0 FROM "
                + L
                + " l JOIN "
                + T
                + " t ON t.block_num = l.block_num AND t.tx_hash = l.tx_hash JOIN "
                + B
                + " b ON b.block_num = l.block_num"
                + " WHERE l.block_num BETWEEN 100 AND 299 ORDER BY 1, 2");
    List<String> got = new ArrayList<>();
    for (JsonNode r : rows) {
      got.add(
          r.get("block_num").asLong()
              + " "
              + r.get("log_index").asInt()
              + " "
              + r.get("from").asText()
              + " "
              + r.get("miner").asText()
              + " "
              + (r.get("topic0").isNull() ? "null" : r.get("topic0").asText()));
    }
    assertEquals(expected, got);
  }

  /**
   * Amp's column kinds through JSON Lines: booleans, unsigned 64-bit values (a block's nonce), an
   * optional integer, lists of structs of bytes: bytes inside lists as 0x hex too.
   */
  @Test
  void receiptsListsAndUnsignedColumnsAnswerAsTheChain() throws Exception {
    long n = 0;
    Tx typed = null;
    for (long b = SyntheticChain.PRAGUE; typed == null; b++) {
      for (Tx t : chain.block(b).transactions()) {
        if (t.type() == 4 && !t.authorizationList().isEmpty() && !t.accessList().isEmpty()) {
          typed = t;
          n = b;
        }
      }
    }
    JsonNode r =
        f.rows(
                "SELECT status, v_parity, gas_used, access_list, blob_versioned_hashes,"
                    + " authorization_list FROM "
                    + T
                    + " WHERE block_num = "
                    + n
                    + " AND tx_index = "
                    + typed.index())
            .get(0);
    assertEquals(typed.status(), r.get("status").asBoolean());
    assertTrue(r.get("status").isBoolean());
    assertEquals(typed.yParity(), r.get("v_parity").asBoolean());
    assertEquals(typed.gasUsed(), r.get("gas_used").asLong());
    assertTrue(r.get("blob_versioned_hashes").isNull());
    SyntheticChain.AccessListEntry entry = typed.accessList().get(0);
    assertEquals(entry.address(), r.get("access_list").get(0).get("address").asText());
    assertEquals(
        entry.storageKeys().size(), r.get("access_list").get(0).get("storage_keys").size());
    SyntheticChain.Authorization a = typed.authorizationList().get(0);
    JsonNode auth = r.get("authorization_list").get(0);
    assertEquals(a.address(), auth.get("address").asText());
    assertEquals(a.r(), auth.get("r").asText());
    assertEquals(a.nonce().toString(), auth.get("nonce").asText());
    assertEquals(a.yParity(), auth.get("y_parity").asBoolean());

    // A pre-Merge block's nonce uses all 64 bits: UBIGINT, exact (as a string beyond 2^53).
    for (long b = 0; b < SyntheticChain.MERGE; b++) {
      BigInteger nonce = new BigInteger(chain.block(b).nonce().substring(2), 16);
      JsonNode block =
          f.rows("SELECT nonce, blob_gas_used FROM " + B + " WHERE block_num = " + b).get(0);
      assertEquals(nonce.toString(), block.get("nonce").asText(), "block " + b);
      assertTrue(block.get("blob_gas_used").isNull());
    }
    Block cancun = chain.block(SyntheticChain.CANCUN + 1);
    assertEquals(
        cancun.blobGasUsed().longValue(),
        f.rows("SELECT blob_gas_used FROM " + B + " WHERE block_num = " + cancun.number())
            .get(0)
            .get("blob_gas_used")
            .asLong());
  }

  @Test
  void hexComparisonsFindTheRowsOfTheChain() throws Exception {
    Tx tx = chain.block(2222).transactions().get(0);
    List<JsonNode> rows =
        f.rows(
            "SELECT block_num, tx_index, value FROM "
                + T
                + " WHERE tx_hash = from_hex('"
                + tx.hash().substring(2)
                + "')");
    assertEquals(1, rows.size());
    assertEquals(2222, rows.get(0).get("block_num").asLong());
    assertEquals(tx.value().toString(), rows.get(0).get("value").asText());

    long creations = 0;
    for (long n = 0; n < BLOCKS; n++) {
      creations += chain.block(n).transactions().stream().filter(t -> t.to() == null).count();
    }
    List<JsonNode> count = f.rows("SELECT count(*) AS n FROM " + T + " WHERE \"to\" IS NULL");
    assertEquals(creations, count.get(0).get("n").asLong());

    List<JsonNode> byText =
        f.rows(
            "SELECT count(*) AS n FROM "
                + B
                + " WHERE '0x' || lower(hex(hash)) = '"
                + chain.blockHash(42)
                + "'");
    assertEquals(1, byText.get(0).get("n").asLong());
  }

  @Test
  void largeIntegersStayExactForJavaScript() throws Exception {
    JsonNode r =
        f.rows(
                "SELECT 9007199254740991::BIGINT AS safe, 9007199254740992::BIGINT AS unsafe,"
                    + " -9007199254740993::BIGINT AS negative, 2::HUGEINT ** 100 AS huge,"
                    + " 12.50::DECIMAL(10,2) AS dec, '\\xAB\\x01'::BLOB AS bytes")
            .get(0);
    assertTrue(r.get("safe").isNumber(), r.toString());
    assertEquals(9007199254740991L, r.get("safe").asLong());
    assertEquals("9007199254740992", r.get("unsafe").asText());
    assertTrue(r.get("unsafe").isTextual(), r.toString());
    assertEquals("-9007199254740993", r.get("negative").asText());
    assertEquals("12.50", r.get("dec").asText());
    assertEquals("0xab01", r.get("bytes").asText());
  }

  @Test
  void flightGivesTheSameAnswersThroughTheJdbcDriver() throws Exception {
    Block b = chain.block(1234);
    try (Connection c = f.flight();
        Statement s = c.createStatement()) {
      try (ResultSet r =
          s.executeQuery(
              "SELECT block_num, timestamp, hash, miner, difficulty, base_fee_per_gas FROM "
                  + B
                  + " WHERE block_num = 1234")) {
        assertTrue(r.next());
        assertEquals(1234L, r.getLong(1));
        assertEquals(Instant.ofEpochSecond(b.timestamp()), r.getTimestamp(2).toInstant());
        assertArrayEquals(bytes(b.hash()), r.getBytes(3));
        assertEquals(b.miner(), hex(r.getBytes(4)));
        assertEquals(new BigDecimal(b.difficulty()), r.getBigDecimal(5));
        assertEquals(new BigDecimal(b.baseFeePerGas()), r.getBigDecimal(6));
        assertTrue(!r.next());
      }
      // every transaction of the chain, in order, with its 100-bit values exact
      try (ResultSet r =
          s.executeQuery(
              "SELECT block_num, tx_index, tx_hash, \"to\", value FROM " + T + " ORDER BY 1, 2")) {
        for (long n = 0; n < BLOCKS; n++) {
          for (Tx tx : chain.block(n).transactions()) {
            assertTrue(r.next(), "row of block " + n);
            assertEquals(n, r.getLong(1));
            assertEquals(tx.index(), r.getInt(2));
            assertEquals(tx.hash(), hex(r.getBytes(3)));
            byte[] to = r.getBytes(4);
            assertEquals(tx.to(), to == null ? null : hex(to));
            assertEquals(new BigDecimal(tx.value()), r.getBigDecimal(5));
          }
        }
        assertTrue(!r.next());
      }
      // the join, as through JSON Lines
      try (ResultSet r =
          s.executeQuery(
              "SELECT count(*) FROM "
                  + L
                  + " l JOIN "
                  + T
                  + " t ON t.block_num = l.block_num AND t.tx_hash = l.tx_hash")) {
        long logs = 0;
        for (long n = 0; n < BLOCKS; n++) {
          logs += chain.block(n).logs().size();
        }
        assertTrue(r.next());
        assertEquals(logs, r.getLong(1));
      }
    }
  }
}
