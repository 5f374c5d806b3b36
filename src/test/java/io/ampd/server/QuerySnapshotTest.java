package io.ampd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.testing.NoStop;
import io.ampd.testing.SyntheticChain.Block;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Queries in a loop while a job commits segments, and then while a second revision of the same
 * tables is written, see whole segments of one revision only: every table of a query agrees with
 * the same prefix of the chain, the count never goes down and never doubles.
 */
class QuerySnapshotTest {
  private static final long BLOCKS = 30_000;
  private static final int SEGMENT = 1_000;
  private static final String COUNTS =
      "SELECT (SELECT count(*) FROM \"example/mainnet\".blocks) AS blocks, (SELECT count(DISTINCT"
          + " block_num) FROM \"example/mainnet\".blocks) AS distinct_blocks, (SELECT"
          + " max(block_num) FROM \"example/mainnet\".blocks) AS max_block, (SELECT count(*) FROM"
          + " \"example/mainnet\".transactions) AS txs, (SELECT count(*) FROM"
          + " \"example/mainnet\".logs) AS logs";

  private long[] txsBefore;
  private long[] logsBefore;

  /** Transactions and logs of blocks 0 to n - 1, for every n (prefix sums over the chain). */
  private void prefixSums(ServerFixture f) {
    txsBefore = new long[(int) BLOCKS + 1];
    logsBefore = new long[(int) BLOCKS + 1];
    for (int n = 0; n < BLOCKS; n++) {
      Block b = f.chain.block(n);
      txsBefore[n + 1] = txsBefore[n] + b.transactions().size();
      logsBefore[n + 1] = logsBefore[n] + b.logs().size();
    }
  }

  /** The counts a query saw: {blocks, txs, logs}, checked for one consistent prefix. */
  private long[] check(long blocks, long distinct, Long maxBlock, long txs, long logs) {
    String seen = blocks + " blocks, " + txs + " txs, " + logs + " logs";
    assertEquals(blocks, distinct, "a block twice: " + seen);
    assertTrue(blocks % SEGMENT == 0 || blocks == BLOCKS, "a partial segment: " + seen);
    assertEquals(blocks == 0 ? null : blocks - 1, maxBlock, seen);
    assertEquals(txsBefore[(int) blocks], txs, "transactions of another moment: " + seen);
    assertEquals(logsBefore[(int) blocks], logs, "logs of another moment: " + seen);
    return new long[] {blocks, txs, logs};
  }

  private long[] jsonl(ServerFixture f) throws Exception {
    JsonNode r = f.rows(COUNTS).get(0);
    return check(
        r.get("blocks").asLong(),
        r.get("distinct_blocks").asLong(),
        r.get("max_block").isNull() ? null : r.get("max_block").asLong(),
        r.get("txs").asLong(),
        r.get("logs").asLong());
  }

  private long[] flight(Statement s) throws Exception {
    try (ResultSet r = s.executeQuery(COUNTS)) {
      assertTrue(r.next());
      long max = r.getLong(3);
      Long maxBlock = r.wasNull() ? null : max;
      return check(r.getLong(1), r.getLong(2), maxBlock, r.getLong(4), r.getLong(5));
    }
  }

  @Test
  void queriesSeeWholeSegmentsOfOneRevision() throws Exception {
    try (ServerFixture f = new ServerFixture(BLOCKS - 1)) {
      prefixSums(f);
      f.register(ServerFixture.DATASET, 0, OptionalLong.of(BLOCKS - 1));
      f.startServer(f.config(Duration.ofMinutes(5), 8));
      // a slower node, so that queries see many moments of the extraction
      f.node.delayRequests(Integer.MAX_VALUE, Duration.ofMillis(15));
      CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> extract(f));
      long last = 0;
      int moments = 0;
      int queries = 0;
      try (Connection c = f.flight();
          Statement s = c.createStatement()) {
        while (!first.isDone()) {
          long[] seen = queries % 2 == 0 ? jsonl(f) : flight(s);
          queries++;
          assertTrue(seen[0] >= last, "the count went down: " + seen[0] + " after " + last);
          if (seen[0] > last) {
            moments++;
          }
          last = seen[0];
        }
        long firstJob = first.join();
        assertEquals(BLOCKS, jsonl(f)[0]);
        assertTrue(moments >= 3, "saw " + moments + " moments of the extraction in " + queries);
        System.out.println(
            "first revision: " + queries + " queries saw " + moments + " different prefixes");

        // A redump: a second revision of the same tables written beside the first, read only
        // from the segment that catches up with it, in the same transaction as the switch.
        CompletableFuture<Long> second =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return f.extract(ServerFixture.DATASET, SEGMENT, NoStop.NEVER, true);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        int during = 0;
        while (!second.isDone()) {
          long[] seen = during % 2 == 0 ? jsonl(f) : flight(s);
          during++;
          assertEquals(BLOCKS, seen[0], "a query saw part of the second revision");
        }
        long secondJob = second.join();
        assertTrue(during > 0);
        // the switch happened: every table's active revision is the second one
        try (Connection db = f.db.dataSource().getConnection();
            java.sql.PreparedStatement active =
                db.prepareStatement(
                    "SELECT count(*) FROM table_revisions WHERE active AND writer = ?")) {
          active.setLong(1, secondJob);
          try (ResultSet r = active.executeQuery()) {
            assertTrue(r.next());
            assertEquals(3, r.getLong(1));
          }
        }
        assertEquals(BLOCKS, jsonl(f)[0]);
        assertEquals(BLOCKS, flight(s)[0]);
        // both revisions are complete on disk: reading the folders would double every row
        for (long job : new long[] {firstJob, secondJob}) {
          try (Stream<java.nio.file.Path> files =
              Files.list(f.dataDir.resolve("example/mainnet/blocks/1.0.0/job-" + job))) {
            assertEquals(BLOCKS / SEGMENT, files.count());
          }
        }
        System.out.println("second revision: " + during + " queries saw every block once");
      }
    }
  }

  private static long extract(ServerFixture f) {
    try {
      return f.extract(ServerFixture.DATASET, SEGMENT, NoStop.NEVER);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
