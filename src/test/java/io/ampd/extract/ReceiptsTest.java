package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ampd.registry.ProviderConfig;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.FakeEvmNode.ReceiptCorruption;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.worker.JobContext;
import io.ampd.worker.JobFailedException;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Receipts: by block, by transaction when the node has no {@code eth_getBlockReceipts} (both forms
 * nodes answer it in) or the provider asks for it, and checked against their block.
 */
@ExtendWith(TempDirs.class)
class ReceiptsTest {
  private static final String SWITCHED = "does not serve eth_getBlockReceipts";

  @Test
  void aNodeAnsweringMethodNotFoundIsSwitchedToReceiptsPerTransactionOnce() throws Exception {
    switchesToReceiptsPerTransaction(FakeEvmNode.BlockReceipts.METHOD_NOT_FOUND);
  }

  /** Some nodes say it in the message only, with another code (-32700) in an HTTP 200. */
  @Test
  void aNodeSayingItInTheMessageOnlyIsSwitchedToReceiptsPerTransactionOnce() throws Exception {
    switchesToReceiptsPerTransaction(FakeEvmNode.BlockReceipts.MESSAGE_ONLY);
  }

  private void switchesToReceiptsPerTransaction(FakeEvmNode.BlockReceipts how) throws Exception {
    ListAppender<ILoggingEvent> log = capture();
    try (ExtractFixture f = new ExtractFixture(400)) {
      f.node.blockReceipts(how);
      ProviderConfig provider = f.provider(20, 2);
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(299), 0), provider, 100);
      new EvmRpcJobRunner().run(ctx);

      SyntheticChain chain = f.node.chain();
      assertEverything(f, chain, 0, 299);
      long txs = ParquetReadback.expectedTransactions(chain, 0, 299).size();
      assertEquals(txs, f.node.calls("eth_getTransactionReceipt"));
      // The first batches in flight (at most one per thread) asked for block receipts; none after.
      long asked = f.node.calls("eth_getBlockReceipts");
      assertTrue(asked >= 10 && asked <= 20, "eth_getBlockReceipts calls: " + asked);
      assertEquals(0, f.node.calls("eth_getLogs"));
      assertEquals(1, logged(log, SWITCHED), log.list.toString());

      // A later job on the same provider fetches receipts per transaction from the start.
      f.execute("UPDATE jobs SET status = 'COMPLETED' WHERE id = " + f.jobId);
      f.jobId = f.createJob("job-2");
      f.node.blockReceipts(FakeEvmNode.BlockReceipts.SERVED);
      new EvmRpcJobRunner()
          .run(f.context(ExtractFixture.manifest(300, OptionalLong.of(349), 0), provider, 100));
      assertEquals(asked, f.node.calls("eth_getBlockReceipts"));
      assertEquals(
          txs + ParquetReadback.expectedTransactions(chain, 300, 349).size(),
          f.node.calls("eth_getTransactionReceipt"));
      assertEquals(1, logged(log, SWITCHED));
    } finally {
      release(log);
    }
  }

  @Test
  void fetchReceiptsPerTxAsksForEachTransactionsReceipt() throws Exception {
    try (ExtractFixture f = new ExtractFixture(400)) {
      ProviderConfig p = f.provider(20, 2);
      ProviderConfig perTx = p.withFetchReceiptsPerTx(true);
      new EvmRpcJobRunner()
          .run(f.context(ExtractFixture.manifest(0, OptionalLong.of(299), 0), perTx, 100));
      assertEverything(f, f.node.chain(), 0, 299);
      assertEquals(0, f.node.calls("eth_getBlockReceipts"));
      assertEquals(
          ParquetReadback.expectedTransactions(f.node.chain(), 0, 299).size(),
          f.node.calls("eth_getTransactionReceipt"));
    }
  }

  /** Far below the head, receipts that do not match their block end the job naming the block. */
  @Test
  void receiptsThatDoNotMatchTheirBlockEndTheJobNamingIt() throws Exception {
    SyntheticChain chain = new SyntheticChain(42);
    long n = 130;
    while (chain.block(n).transactions().size() < 2) {
      n++;
    }
    SyntheticChain.Block b = chain.block(n);
    String block = "block " + n + ": ";
    String tail =
        ": the receipts do not match the block, 128 or more blocks below the head, where the"
            + " chain does not change any more (a node that serves data that does not fit"
            + " together, or that no longer indexes old transactions)";
    String[][] cases = {
      {
        "MISSING",
        "false",
        block
            + (b.transactions().size() - 1)
            + " receipt(s) for "
            + b.transactions().size()
            + " transaction(s)"
      },
      {
        "TX_HASH",
        "false",
        block
            + "receipt 0 is of transaction "
            + b.stateRoot()
            + ", but the block's transaction 0 is "
            + b.transactions().get(0).hash()
      },
      {
        "BLOCK_HASH",
        "false",
        block
            + "receipt 0 is of block hash "
            + b.stateRoot()
            + ", but the block's hash is "
            + b.hash()
      },
      {
        "MISSING",
        "true",
        block
            + "the node has no receipt of transaction "
            + (b.transactions().size() - 1)
            + " ("
            + b.transactions().get(b.transactions().size() - 1).hash()
            + ")"
      },
      {
        "TX_HASH",
        "true",
        block
            + "receipt 0 is of transaction "
            + b.stateRoot()
            + ", but the block's transaction 0 is "
            + b.transactions().get(0).hash()
      },
      {
        "BLOCK_HASH",
        "true",
        block
            + "receipt 0 is of block hash "
            + b.stateRoot()
            + ", but the block's hash is "
            + b.hash()
      },
    };
    for (String[] c : cases) {
      try (ExtractFixture f = new ExtractFixture(1_000)) {
        f.node.corruptReceipts(n, ReceiptCorruption.valueOf(c[0]), Integer.MAX_VALUE);
        ProviderConfig p = f.provider(20, 2);
        ProviderConfig provider = p.withFetchReceiptsPerTx(Boolean.parseBoolean(c[1]));
        JobContext ctx =
            f.context(ExtractFixture.manifest(0, OptionalLong.of(299), 0), provider, 100);
        JobFailedException e =
            assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
        String what = c[0] + (c[1].equals("true") ? " per transaction" : " per block");
        assertTrue(e.fatal(), what);
        assertEquals("malformed response from provider fake: " + c[2] + tail, e.getMessage(), what);
        // the segment before the broken one is recorded; the broken one left nothing behind
        assertEquals(
            List.of(Layout.fileName(0, 99)),
            ExtractFixture.fileNames(f.tableDir("transactions")),
            what);
      }
    }
  }

  /**
   * Near the head, a mismatch is a reorganisation: read again (the node settles: the job
   * completes), or, while it persists, the job fails transiently.
   */
  @Test
  void nearTheHeadAMismatchIsAReorganisationThatIsReadAgain() throws Exception {
    try (ExtractFixture f = new ExtractFixture(300)) {
      f.node.corruptReceipts(250, ReceiptCorruption.BLOCK_HASH, 2);
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(299), 0), f.provider(20, 2), 100);
      new EvmRpcJobRunner().run(ctx);
      assertEverything(f, f.node.chain(), 0, 299);
    }
    try (ExtractFixture f = new ExtractFixture(300)) {
      f.node.corruptReceipts(250, ReceiptCorruption.TX_HASH, Integer.MAX_VALUE);
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(299), 0), f.provider(20, 2), 100);
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertFalse(e.fatal());
      SyntheticChain.Block b = f.node.chain().block(250);
      assertEquals(
          "block 250: receipt 0 is of transaction "
              + b.stateRoot()
              + ", but the block's transaction 0 is "
              + b.transactions().get(0).hash()
              + ": the receipts do not match the block (a reorganisation near the head?); read"
              + " again (gave up after 6 tries)",
          e.getMessage());
      assertEquals(
          List.of(Layout.fileName(0, 99), Layout.fileName(100, 199)),
          ExtractFixture.fileNames(f.tableDir("blocks")));
    }
  }

  private static void assertEverything(ExtractFixture f, SyntheticChain chain, long a, long b)
      throws Exception {
    ParquetReadback.assertRows(
        ParquetReadback.expectedBlocks(chain, a, b), f.tableDir("blocks"), ParquetReadback.BLOCKS);
    ParquetReadback.assertRows(
        ParquetReadback.expectedTransactions(chain, a, b),
        f.tableDir("transactions"),
        ParquetReadback.TRANSACTIONS);
    ParquetReadback.assertRows(
        ParquetReadback.expectedLogs(chain, a, b), f.tableDir("logs"), ParquetReadback.LOGS);
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(ReceiptSource.class)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(ReceiptSource.class)).detachAppender(appender);
  }

  private static long logged(ListAppender<ILoggingEvent> appender, String text) {
    synchronized (appender.list) {
      return appender.list.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
    }
  }
}
