package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.metadb.FileRepository;
import io.ampd.metadb.LiveProgress;
import io.ampd.metadb.ProgressRepository;
import io.ampd.metadb.TableProgress;
import io.ampd.registry.DatasetKind;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.worker.JobContext;
import io.ampd.worker.JobFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TempDirs.class)
class EvmRpcJobRunnerTest {
  private static final List<String> TABLES = List.of("blocks", "transactions", "logs");

  @Test
  void extractsEveryColumnOfEveryRowAsTheNodeServedIt() throws Exception {
    try (ExtractFixture f = new ExtractFixture(2_100)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(1_999), 0), f.provider(50, 2), 500);
      new EvmRpcJobRunner().run(ctx);

      SyntheticChain chain = f.node.chain();
      assertCoversEveryKind(chain, 0, 1_999);
      // Logs come from the receipts of their block: no eth_getLogs.
      assertEquals(0, f.node.calls("eth_getLogs"));
      assertEquals(2_000, f.node.calls("eth_getBlockReceipts"));
      assertEquals(0, f.node.calls("eth_getTransactionReceipt"));
      ParquetReadback.assertRows(
          ParquetReadback.expectedBlocks(chain, 0, 1_999),
          f.tableDir("blocks"),
          ParquetReadback.BLOCKS);
      ParquetReadback.assertRows(
          ParquetReadback.expectedTransactions(chain, 0, 1_999),
          f.tableDir("transactions"),
          ParquetReadback.TRANSACTIONS);
      ParquetReadback.assertRows(
          ParquetReadback.expectedLogs(chain, 0, 1_999), f.tableDir("logs"), ParquetReadback.LOGS);

      assertEquals(
          List.of(
              "0000000000000000000-0000000000000000499.parquet",
              "0000000000000000500-0000000000000000999.parquet",
              "0000000000000001000-0000000000000001499.parquet",
              "0000000000000001500-0000000000000001999.parquet"),
          fileNames(f.tableDir("logs")));
      List<String> schema =
          ParquetReadback.schema(
              f.tableDir("transactions").resolve(fileNames(f.tableDir("transactions")).get(0)));
      assertTrue(
          schema.contains("tx_hash:FIXED_LEN_BYTE_ARRAY:32:null:null:null"), schema.toString());
      assertTrue(schema.contains("from:FIXED_LEN_BYTE_ARRAY:20:null:null:null"), schema.toString());
      assertTrue(schema.contains("value:FIXED_LEN_BYTE_ARRAY:16:DECIMAL:38:0"), schema.toString());
      assertTrue(schema.contains("block_num:INT64:null:null:null:null"), schema.toString());

      List<TableProgress> progress = new FileRepository(f.db.dataSource()).progressOfJob(f.jobId);
      assertEquals(TABLES, progress.stream().map(TableProgress::table).toList());
      long[] rows = {2_000, chain.block(0).transactions().size(), 0};
      rows[1] = ParquetReadback.expectedTransactions(chain, 0, 1_999).size();
      rows[2] = ParquetReadback.expectedLogs(chain, 0, 1_999).size();
      for (int i = 0; i < 3; i++) {
        TableProgress p = progress.get(i);
        assertEquals(OptionalLong.of(1_999), p.lastBlock(), p.toString());
        assertEquals(4, p.files(), p.toString());
        assertEquals(rows[i], p.rows(), p.toString());
        assertEquals(totalSize(f.tableDir(p.table())), p.bytes(), p.toString());
      }
      // The run's end: what was fetched is what was committed; no rate, nothing pending.
      LiveProgress end = new ProgressRepository(f.db.dataSource()).find(f.jobId).orElseThrow();
      assertFalse(end.running(), end.toString());
      assertEquals(OptionalLong.of(1_999), end.fetchedBlock(), end.toString());
      assertEquals(OptionalLong.of(1_999), end.targetBlock(), end.toString());
      assertEquals(OptionalDouble.empty(), end.blocksPerSecond(), end.toString());
      assertEquals(OptionalLong.of(0), end.etaSeconds(), end.toString());
      for (String table : TABLES) {
        assertEquals(LiveProgress.Pending.NONE, end.segment().get(table), end.toString());
      }
    }
  }

  /**
   * The chain of blocks {@code first..last} has what the extraction must handle: transactions of
   * types 0 to 4, contract creations, reverted transactions, receipts before Byzantium, legacy
   * signatures with and without EIP-155, logs of 0 to 4 topics.
   */
  private static void assertCoversEveryKind(SyntheticChain chain, long first, long last) {
    Set<Integer> types = new TreeSet<>();
    Set<Integer> topics = new TreeSet<>();
    int creations = 0;
    int reverted = 0;
    int preByzantium = 0;
    int unprotected = 0;
    for (long n = first; n <= last; n++) {
      SyntheticChain.Block b = chain.block(n);
      for (SyntheticChain.Tx t : b.transactions()) {
        types.add(t.type());
        creations += t.to() == null ? 1 : 0;
        reverted += t.status() ? 0 : 1;
        preByzantium += t.root() != null ? 1 : 0;
        unprotected += t.chainId() == null ? 1 : 0;
      }
      b.logs().forEach(l -> topics.add(l.topics().size()));
    }
    assertEquals(Set.of(0, 1, 2, 3, 4), types);
    assertEquals(Set.of(0, 1, 2, 3, 4), topics);
    assertTrue(creations > 0 && reverted > 0 && preByzantium > 0 && unprotected > 0);
  }

  /** {@code ctx} with the deploy's {@code end_block} (Amp's form) {@code end}. */
  private static JobContext withEnd(JobContext ctx, String end) {
    return new JobContext(
        ctx.jobId(),
        ctx.nodeId(),
        ctx.dataset(),
        ctx.manifest(),
        ctx.provider(),
        ctx.metadb(),
        ctx.dataDir(),
        ctx.segmentBlocks(),
        ctx.stop(),
        io.ampd.registry.EndBlock.parse(com.fasterxml.jackson.databind.node.TextNode.valueOf(end)));
  }

  @Test
  void theDeploysEndBlockEndsTheJob() throws Exception {
    // "-N": N blocks before the head (1000) when the run starts; the manifest gives no end.
    try (ExtractFixture f = new ExtractFixture(1_000)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.empty(), 0), f.provider(50, 2), 100);
      new EvmRpcJobRunner().run(withEnd(ctx, "-500"));
      assertEquals(500, lastBlock(new FileRepository(f.db.dataSource()), f.jobId));
    }
    // "N" below the manifest's end_block: the lower wins.
    try (ExtractFixture f = new ExtractFixture(1_000)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(799), 0), f.provider(50, 2), 100);
      new EvmRpcJobRunner().run(withEnd(ctx, "250"));
      assertEquals(250, lastBlock(new FileRepository(f.db.dataSource()), f.jobId));
    }
    // "latest": the confirmed head (1000 - 9 confirmations).
    try (ExtractFixture f = new ExtractFixture(1_000)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.empty(), 9), f.provider(50, 2), 100);
      new EvmRpcJobRunner().run(withEnd(ctx, "latest"));
      assertEquals(991, lastBlock(new FileRepository(f.db.dataSource()), f.jobId));
    }
    // An end before start_block fails the job for good.
    try (ExtractFixture f = new ExtractFixture(1_000)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(600, OptionalLong.empty(), 0), f.provider(50, 2), 100);
      JobFailedException e =
          assertThrows(
              JobFailedException.class, () -> new EvmRpcJobRunner().run(withEnd(ctx, "-500")));
      assertTrue(e.fatal());
      assertEquals(
          "end_block -500 is block 500, before the manifest's start_block 600", e.getMessage());
    }
  }

  /**
   * Against a slow node the fetched block moves within a segment while the committed block stays:
   * batches of 20 blocks, one request at a time, each answered after 20 ms at the earliest, so at
   * most 1,000 blocks/s and the first 3,000-block segment takes 3 s or more.
   */
  @Test
  void liveProgressMovesWithinASegmentAgainstASlowNode() throws Exception {
    try (ExtractFixture f = new ExtractFixture(4_000)) {
      f.node.delayRequests(Integer.MAX_VALUE, Duration.ofMillis(20));
      JobContext ctx =
          f.context(
              ExtractFixture.manifest(0, OptionalLong.of(5_999), 0), f.provider(20, 1), 3_000);
      Thread t = new Thread(() -> runQuietly(ctx));
      t.start();
      try {
        ProgressRepository live = new ProgressRepository(f.db.dataSource());
        FileRepository files = new FileRepository(f.db.dataSource());
        waitFor(() -> fetched(live, f.jobId) >= 200);
        long first = fetched(live, f.jobId);
        assertEquals(-1, lastBlock(files, f.jobId));
        // A row group (1,000 blocks) is in the file, and the rate is measured.
        waitFor(
            () ->
                fetched(live, f.jobId) >= 1_200
                    && live.find(f.jobId).orElseThrow().blocksPerSecond().isPresent());
        LiveProgress p = live.find(f.jobId).orElseThrow();
        assertEquals(-1, lastBlock(files, f.jobId), "nothing committed before block 2999");
        long fetched = p.fetchedBlock().getAsLong();
        assertTrue(fetched > first && fetched < 2_999, p.toString());
        assertTrue(p.running(), p.toString());
        assertEquals("node-1", p.nodeId());
        assertEquals(0, p.startBlock());
        assertEquals(OptionalLong.of(5_999), p.targetBlock(), p.toString());

        SyntheticChain chain = f.node.chain();
        assertEquals(fetched + 1, p.segment().get("blocks").rows(), p.toString());
        assertEquals(
            ParquetReadback.expectedTransactions(chain, 0, fetched).size(),
            p.segment().get("transactions").rows(),
            p.toString());
        assertEquals(
            ParquetReadback.expectedLogs(chain, 0, fetched).size(),
            p.segment().get("logs").rows(),
            p.toString());
        for (String table : TABLES) {
          assertTrue(p.segment().get(table).bytes() > 1_000, p.toString());
        }

        double rate = p.blocksPerSecond().getAsDouble();
        assertTrue(rate > 0 && rate <= 1_100, "at most 20 blocks per 20 ms: " + rate);
        long eta = p.etaSeconds().getAsLong();
        assertEquals((long) Math.ceil((5_999 - fetched) / rate), eta, p.toString());
        assertTrue(eta >= (5_999 - fetched) / 1_100, p.toString());
      } finally {
        f.stop.request();
        t.join(10_000);
      }
      assertFalse(t.isAlive());
      // Stopped within the first segment: nothing was committed, and the live row says so.
      LiveProgress end = new ProgressRepository(f.db.dataSource()).find(f.jobId).orElseThrow();
      assertFalse(end.running(), end.toString());
      assertEquals(OptionalLong.empty(), end.fetchedBlock(), end.toString());
      assertEquals(OptionalDouble.empty(), end.blocksPerSecond(), end.toString());
      assertEquals(LiveProgress.Pending.NONE, end.segment().get("blocks"), end.toString());
    }
  }

  private static long fetched(ProgressRepository live, long jobId) {
    return live.find(jobId).flatMap(p -> boxed(p.fetchedBlock())).orElse(-1L);
  }

  private static java.util.Optional<Long> boxed(OptionalLong v) {
    return v.isPresent() ? java.util.Optional.of(v.getAsLong()) : java.util.Optional.empty();
  }

  @Test
  void progressOfJobIsEmptyBeforeTheFirstSegment() throws Exception {
    try (ExtractFixture f = new ExtractFixture(10)) {
      assertEquals(List.of(), new FileRepository(f.db.dataSource()).progressOfJob(f.jobId));
      // the head is below the first segment: the job waits, nothing is recorded, then stops
      JobContext ctx =
          f.context(ExtractFixture.manifest(100, OptionalLong.of(199), 0), f.provider(10, 1), 50);
      Thread t = new Thread(() -> runQuietly(ctx));
      t.start();
      waitFor(() -> new FileRepository(f.db.dataSource()).progressOfJob(f.jobId).size() == 3);
      f.stop.request();
      t.join(10_000);
      assertFalse(t.isAlive());
      for (TableProgress p : new FileRepository(f.db.dataSource()).progressOfJob(f.jobId)) {
        assertEquals(
            new TableProgress(p.table(), p.revisionId(), OptionalLong.empty(), 0, 0, 0), p);
      }
    }
  }

  @Test
  void resumesAfterACrashBetweenRenameAndCommitAndAfterACommit() throws Exception {
    try (ExtractFixture f = new ExtractFixture(1_000)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(10, OptionalLong.of(809), 0), f.provider(20, 2), 100);
      // run 1 dies after recording blocks 10..109 (a crash right after the commit)
      crashes(ctx, CRASH_AFTER_COMMIT);
      // run 2 dies after renaming 110..209 but before recording it
      crashes(ctx, CRASH_AFTER_RENAME);
      String unrecorded = Layout.fileName(110, 209);
      assertTrue(Files.exists(f.tableDir("blocks").resolve(unrecorded)));
      // and a temporary file as a crash during writing would leave it
      Files.writeString(
          f.tableDir("logs").resolve(Layout.tempName(Layout.fileName(110, 209))), "partial");

      new EvmRpcJobRunner().run(ctx);

      SyntheticChain chain = f.node.chain();
      ParquetReadback.assertRows(
          ParquetReadback.expectedBlocks(chain, 10, 809),
          f.tableDir("blocks"),
          ParquetReadback.BLOCKS);
      ParquetReadback.assertRows(
          ParquetReadback.expectedTransactions(chain, 10, 809),
          f.tableDir("transactions"),
          ParquetReadback.TRANSACTIONS);
      ParquetReadback.assertRows(
          ParquetReadback.expectedLogs(chain, 10, 809), f.tableDir("logs"), ParquetReadback.LOGS);
      for (String table : TABLES) {
        assertEquals(recordedFiles(f, table), fileNames(f.tableDir(table)), table);
        assertEquals(8, fileNames(f.tableDir(table)).size(), table);
      }
    }
  }

  /**
   * A revision whose files are of an earlier table schema (written before the receipts) is not
   * continued: the job ends FATAL saying to redump; one without files is taken to this version.
   */
  @Test
  void aRevisionOfAnotherSchemaVersionIsNotMixedWithThisOne() throws Exception {
    try (ExtractFixture f = new ExtractFixture(300)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(199), 0), f.provider(20, 2), 100);
      // No file yet: the revisions are made, then set back to version 1; the run takes them over.
      new FileRepository(f.db.dataSource())
          .revisionsOfJob(
              f.jobId,
              ExtractFixture.DATASET,
              TABLES,
              t -> Layout.revisionPath(ExtractFixture.DATASET, t, f.jobId),
              TableSchema.VERSION);
      f.execute("UPDATE table_revisions SET schema_version = 1");
      crashes(ctx, CRASH_AFTER_COMMIT);
      assertEquals(99, lastBlock(new FileRepository(f.db.dataSource()), f.jobId));
      try (Connection c = f.db.dataSource().getConnection();
          Statement st = c.createStatement();
          ResultSet r =
              st.executeQuery("SELECT count(*) FROM table_revisions WHERE schema_version = 2")) {
        r.next();
        assertEquals(3, r.getInt(1), "revisions taken to version 2");
      }
      Path file = f.tableDir("transactions").resolve(Layout.fileName(0, 99));
      assertEquals(
          List.of("ampd.schema_version=2"),
          ParquetReadback.read(
              file.getParent(),
              "SELECT decode(key) || '=' || decode(value) FROM parquet_kv_metadata('%s')"
                  + " WHERE decode(key) = 'ampd.schema_version'"));

      // Files of version 1 in the revisions: refused, nothing written.
      f.execute("UPDATE table_revisions SET schema_version = 1");
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertTrue(e.fatal());
      String blocks = Layout.revisionPath(ExtractFixture.DATASET, "blocks", f.jobId);
      assertTrue(
          e.getMessage()
              .matches(
                  "table revision \\d+ \\("
                      + blocks
                      + "\\) holds files of table schema version 1 \\(written by an earlier"
                      + " ampd\\), and this ampd writes version 2; it does not mix files of two"
                      + " schemas in one revision\\. Redump the version \\(POST"
                      + " /datasets/test/chain/versions/1\\.0\\.0/redump\\): it writes new"
                      + " revisions from start_block, and queries read the old ones until the new"
                      + " ones have caught up"),
          e.getMessage());
      assertEquals(99, lastBlock(new FileRepository(f.db.dataSource()), f.jobId));
      for (String table : TABLES) {
        assertEquals(List.of(Layout.fileName(0, 99)), fileNames(f.tableDir(table)), table);
      }
    }
  }

  @Test
  void aReorganisationWhileASegmentIsReadAbandonsItAndTheNextRunReadsTheNewChain()
      throws Exception {
    try (ExtractFixture f = new ExtractFixture(300)) {
      // One request at a time: the head, then batches of 20 blocks in order.
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(199), 0), f.provider(20, 1), 200);
      SyntheticChain fork = f.node.chain().fork(30, 99);
      // The head and blocks 0..39 (4 requests of 10 blocks and their receipts) come from the old
      // chain, blocks 40.. from the fork at 30.
      f.node.switchChain(fork, 5);
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertFalse(e.fatal());
      assertTrue(
          e.getMessage()
              .startsWith(
                  "block 40 (parent hash "
                      + fork.blockHash(39)
                      + ") does not continue block 39 (hash "
                      + f.node.chain().blockHash(39)
                      + ") as read just before: the chain changed while it was read"),
          e.getMessage());
      FileRepository repo = new FileRepository(f.db.dataSource());
      assertEquals(-1, lastBlock(repo, f.jobId));
      for (String table : TABLES) {
        assertEquals(List.of(), fileNames(f.tableDir(table)), table);
      }

      new EvmRpcJobRunner().run(ctx);

      ParquetReadback.assertRows(
          ParquetReadback.expectedBlocks(fork, 0, 199),
          f.tableDir("blocks"),
          ParquetReadback.BLOCKS);
      ParquetReadback.assertRows(
          ParquetReadback.expectedLogs(fork, 0, 199), f.tableDir("logs"), ParquetReadback.LOGS);
    }
  }

  @Test
  void aReorganisationBelowRecordedBlocksEndsTheJobFatally() throws Exception {
    try (ExtractFixture f = new ExtractFixture(300)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(199), 0), f.provider(20, 1), 100);
      SyntheticChain fork = f.node.chain().fork(90, 99);
      // The head and blocks 0..99 (recorded as the first segment; 10 requests of 10 blocks and
      // their receipts) come from the old chain.
      f.node.switchChain(fork, 11);
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertTrue(e.fatal());
      assertEquals(
          "block 100 (parent hash "
              + fork.blockHash(99)
              + ") does not continue block 99 (hash "
              + f.node.chain().blockHash(99)
              + ") as recorded: the chain reorganised deeper than the 0 confirmation(s) this"
              + " dataset waits for, and the blocks recorded up to 99 include blocks of the"
              + " abandoned fork; nothing after them was recorded",
          e.getMessage());
      assertEquals(99, lastBlock(new FileRepository(f.db.dataSource()), f.jobId));
      for (String table : TABLES) {
        assertEquals(List.of(Layout.fileName(0, 99)), fileNames(f.tableDir(table)), table);
      }
    }
  }

  @Test
  void aReorganisationWhileTheJobWasNotRunningIsCaughtWhenItResumes() throws Exception {
    try (ExtractFixture f = new ExtractFixture(300)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(199), 0), f.provider(20, 2), 100);
      crashes(ctx, CRASH_AFTER_COMMIT);
      FileRepository repo = new FileRepository(f.db.dataSource());
      assertEquals(99, lastBlock(repo, f.jobId));
      // While the job is down, the chain reorganises at block 95, below the recorded 99.
      SyntheticChain fork = f.node.chain().fork(95, 99);
      f.node.switchChain(fork, 0);
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertTrue(e.fatal());
      assertTrue(
          e.getMessage()
              .startsWith(
                  "block 100 (parent hash "
                      + fork.blockHash(99)
                      + ") does not continue block 99 (hash "
                      + f.node.chain().blockHash(99)
                      + ") as recorded: "),
          e.getMessage());
      assertEquals(99, lastBlock(repo, f.jobId));
    }
  }

  @Test
  void transientErrorsAreRetriedAndTheResultIsComplete() throws Exception {
    try (ExtractFixture f = new ExtractFixture(400)) {
      JobContext ctx =
          f.context(
              ExtractFixture.manifest(0, OptionalLong.of(299), 0),
              new io.ampd.registry.ProviderConfig(
                  "fake",
                  DatasetKind.EVM_RPC.kindName(),
                  f.node.url(),
                  "testnet",
                  2,
                  25,
                  Duration.ofMillis(300),
                  new io.ampd.registry.RetryPolicy(
                      6, Duration.ofMillis(10), Duration.ofMillis(100))),
              100);
      f.node.failRequests(2, 429);
      Thread faults =
          new Thread(
              () -> {
                waitFor(() -> f.node.requests() >= 5);
                f.node.failRequests(2, 503);
                waitFor(() -> f.node.requests() >= 10);
                f.node.rpcErrors(2);
                waitFor(() -> f.node.requests() >= 15);
                f.node.delayRequests(1, Duration.ofMillis(800));
              });
      faults.start();
      new EvmRpcJobRunner().run(ctx);
      faults.join(10_000);
      SyntheticChain chain = f.node.chain();
      ParquetReadback.assertRows(
          ParquetReadback.expectedBlocks(chain, 0, 299),
          f.tableDir("blocks"),
          ParquetReadback.BLOCKS);
      ParquetReadback.assertRows(
          ParquetReadback.expectedLogs(chain, 0, 299), f.tableDir("logs"), ParquetReadback.LOGS);
    }
  }

  @Test
  void transientErrorsBeyondTheRetryLimitFailTheJobTransiently() throws Exception {
    try (ExtractFixture f = new ExtractFixture(100)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(99), 0), f.provider(25, 1), 50);
      f.node.failRequests(1_000, 500);
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertFalse(e.fatal());
      assertEquals("provider fake answered HTTP 500 (gave up after 6 tries)", e.getMessage());
    }
  }

  @Test
  void aDataDirThatCannotBeWrittenFailsTheJobTransientlyNamingThePath() throws Exception {
    try (ExtractFixture f = new ExtractFixture(100)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(99), 0), f.provider(25, 1), 50);
      Path blocks = f.tableDir("blocks");
      Files.createDirectories(blocks.getParent());
      Files.writeString(blocks, "a file where the table's folder goes");
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertFalse(e.fatal());
      assertEquals(
          "cannot write Parquet files under "
              + f.dataDir
              + ": "
              + blocks
              + ": exists and is not a folder",
          e.getMessage());
    }
  }

  @Test
  void aSegmentTheDatabaseCannotRecordFailsTheJobTransientlyAndTheNextRunRecordsIt()
      throws Exception {
    try (ExtractFixture f = new ExtractFixture(100)) {
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.of(99), 0), f.provider(25, 1), 50);
      // Between writing the first segment's files and recording them, the database refuses.
      EvmRpcJobRunner.Hooks refuse =
          new EvmRpcJobRunner.Hooks() {
            @Override
            public void afterRename(long first, long last) {
              f.execute("ALTER TABLE files RENAME TO files_away");
            }
          };
      JobFailedException e = crashes(ctx, refuse);
      assertFalse(e.fatal());
      assertEquals(
          "cannot record segment: metadata database query failed: ERROR: relation \"files\""
              + " does not exist",
          e.getMessage());
      f.execute("ALTER TABLE files_away RENAME TO files");

      new EvmRpcJobRunner().run(ctx);

      ParquetReadback.assertRows(
          ParquetReadback.expectedBlocks(f.node.chain(), 0, 99),
          f.tableDir("blocks"),
          ParquetReadback.BLOCKS);
      for (String table : TABLES) {
        assertEquals(recordedFiles(f, table), fileNames(f.tableDir(table)), table);
      }
    }
  }

  @Test
  void aMalformedBlockEndsTheJobFatallyNamingBlockAndField() throws Exception {
    String[][] cases = {
      {"MISSING_TIMESTAMP", "block 137: field 'timestamp' is missing"},
      {"BAD_HEX_GAS_USED", "block 137: field 'gasUsed' is not a hex quantity below 2^63: \"0xzz\""},
      {"WRONG_NUMBER", "block 137: field 'number' is 138, expected 137"},
    };
    for (String[] c : cases) {
      try (ExtractFixture f = new ExtractFixture(300)) {
        f.node.malform(137, FakeEvmNode.Malformation.valueOf(c[0]));
        JobContext ctx =
            f.context(ExtractFixture.manifest(0, OptionalLong.of(299), 0), f.provider(20, 2), 100);
        JobFailedException e =
            assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
        assertTrue(e.fatal(), c[0]);
        assertEquals("malformed response from provider fake: " + c[1], e.getMessage());
        // the segments before the broken one are recorded; the broken one left nothing behind
        assertEquals(List.of(Layout.fileName(0, 99)), fileNames(f.tableDir("blocks")));
      }
    }
  }

  @Test
  void stopAbandonsTheSegmentInProgressAndRecordsNothingHalfWay() throws Exception {
    try (ExtractFixture f = new ExtractFixture(5_000)) {
      JobContext ctx =
          f.context(
              ExtractFixture.manifest(0, OptionalLong.of(4_999), 0), f.provider(10, 1), 1_000);
      f.node.delayRequests(1_000_000, Duration.ofMillis(30));
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  new EvmRpcJobRunner().run(ctx);
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      t.start();
      waitFor(() -> f.node.requests() > 5);
      f.stop.request();
      // unstopped, the job would need 500 requests of 30 ms or more: longer than this join
      t.join(10_000);
      assertFalse(t.isAlive());
      assertEquals(null, failure.get());
      for (String table : TABLES) {
        assertEquals(List.of(), fileNames(f.tableDir(table)), table);
      }
      for (TableProgress p : new FileRepository(f.db.dataSource()).progressOfJob(f.jobId)) {
        assertEquals(OptionalLong.empty(), p.lastBlock());
      }
    }
  }

  @Test
  void followsTheHeadAsItGrows() throws Exception {
    try (ExtractFixture f = new ExtractFixture(105)) {
      // confirmations 5: blocks up to head - 5 are extracted; partial segments after 200 ms
      JobContext ctx =
          f.context(ExtractFixture.manifest(0, OptionalLong.empty(), 5), f.provider(20, 2), 50);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  new EvmRpcJobRunner(Duration.ofMillis(50), Duration.ofMillis(200)).run(ctx);
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      t.start();
      try {
        FileRepository repo = new FileRepository(f.db.dataSource());
        waitFor(() -> lastBlock(repo, f.jobId) == 100);
        f.node.setHead(180);
        waitFor(() -> lastBlock(repo, f.jobId) == 175);
        f.node.setHead(400);
        waitFor(() -> lastBlock(repo, f.jobId) == 395);
      } finally {
        f.stop.request();
        t.join(10_000);
      }
      assertEquals(null, failure.get());
      SyntheticChain chain = f.node.chain();
      ParquetReadback.assertRows(
          ParquetReadback.expectedBlocks(chain, 0, 395),
          f.tableDir("blocks"),
          ParquetReadback.BLOCKS);
      ParquetReadback.assertRows(
          ParquetReadback.expectedLogs(chain, 0, 395), f.tableDir("logs"), ParquetReadback.LOGS);
    }
  }

  private static long lastBlock(FileRepository repo, long jobId) {
    List<TableProgress> p = repo.progressOfJob(jobId);
    return p.isEmpty() || p.get(0).lastBlock().isEmpty() ? -1 : p.get(0).lastBlock().getAsLong();
  }

  /** A crash right after a segment is recorded. */
  private static final EvmRpcJobRunner.Hooks CRASH_AFTER_COMMIT =
      new EvmRpcJobRunner.Hooks() {
        @Override
        public void afterCommit(long first, long last) {
          throw new RuntimeException("simulated crash");
        }
      };

  /** A crash after a segment's files are renamed, before they are recorded. */
  private static final EvmRpcJobRunner.Hooks CRASH_AFTER_RENAME =
      new EvmRpcJobRunner.Hooks() {
        @Override
        public void afterRename(long first, long last) {
          throw new RuntimeException("simulated crash");
        }
      };

  /** Runs the job until {@code hooks} crash it at their first chance; how it failed. */
  private static JobFailedException crashes(JobContext ctx, EvmRpcJobRunner.Hooks hooks) {
    return assertThrows(
        JobFailedException.class,
        () -> new EvmRpcJobRunner(Duration.ofMillis(50), Duration.ofMillis(200), hooks).run(ctx));
  }

  private static void runQuietly(JobContext ctx) {
    try {
      new EvmRpcJobRunner(Duration.ofMillis(50), Duration.ofMillis(200)).run(ctx);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static List<String> fileNames(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static long totalSize(Path dir) throws Exception {
    long size = 0;
    for (String name : fileNames(dir)) {
      size += Files.size(dir.resolve(name));
    }
    return size;
  }

  private static List<String> recordedFiles(ExtractFixture f, String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = f.db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT f.file_name FROM files f JOIN table_revisions r ON r.id = f.revision_id"
                    + " WHERE r.table_name = '"
                    + table
                    + "' ORDER BY f.file_name")) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }
}
