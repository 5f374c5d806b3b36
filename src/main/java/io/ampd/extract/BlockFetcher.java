package io.ampd.extract;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.worker.StopSignal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;

/**
 * Fetches a range of blocks with their receipts and logs, in order, from one provider.
 *
 * <p>The range is cut into batches of blocks; a batch is one JSON-RPC batch request of {@code
 * eth_getBlockByNumber(n, full)} and, when receipts are extracted (the transactions or logs table),
 * {@code eth_getBlockReceipts(n)} for each block: {@code batchSize / 2} blocks (at least 1), so that
 * a request holds about {@code batchSize} calls. A node that does not serve {@code
 * eth_getBlockReceipts}, or a provider with {@code fetch_receipts_per_tx}, gets receipts by {@code
 * eth_getTransactionReceipt} of each transaction instead ({@link ReceiptSource}): then a batch is
 * {@code batchSize} blocks, then their transactions' receipts in requests of {@code batchSize}
 * calls. Logs are the receipts' (no {@code eth_getLogs}), so a block's transactions, receipts and
 * logs come from one consistent source, checked against each other ({@link Receipts}): receipts that
 * do not match their block within {@link #REORG_WINDOW} blocks of the head are a reorganisation (a
 * transient failure: read again), deeper they end the job (a malformed response naming the block).
 *
 * <p>At most {@code concurrency} batches are in flight on as many threads; the caller's thread
 * hands finished batches to the sink strictly in block order.
 *
 * <p>Read-ahead: the fetcher runs ahead of the range asked for, up to the {@code limit} the caller
 * allows (blocks known to exist), by at most {@link #READ_AHEAD_BLOCKS} blocks besides the batches
 * in flight; the next {@link #fetch} that continues where the last one ended starts from those. So
 * requests keep going while the caller writes and commits a segment, and memory holds at most
 * {@code concurrency} batches plus about {@link #READ_AHEAD_BLOCKS} blocks besides what the sink
 * keeps. A fetch that does not continue the last one drops what was read ahead.
 *
 * <p>Stop: the caller's thread polls the stop signal every {@link #POLL} while it waits, so a stop
 * request ends {@link #fetch} within about that time even if a request hangs; abandoned requests
 * finish (or time out) on their threads and are dropped.
 */
final class BlockFetcher implements AutoCloseable {
  static final long POLL_MILLIS = 100;

  /** How far the fetcher may run ahead, beyond the batches in flight. */
  static final int READ_AHEAD_BLOCKS = 1_000;

  /**
   * Receipts that do not match their block this close to the head (the last {@code
   * eth_blockNumber}) are taken for a reorganisation and read again; deeper, where the chain no
   * longer changes, they end the job.
   */
  static final long REORG_WINDOW = 128;

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final RpcClient rpc;
  private final int batchSize;
  private final int concurrency;
  private final boolean fullTransactions;
  private final boolean receipts;
  private final ReceiptSource receiptSource;
  private final ExecutorService pool;
  private final int depth;

  /** Batches submitted and not handed out yet, in block order. */
  private final ArrayDeque<Pending> window = new ArrayDeque<>();

  /** The first block not submitted yet. */
  private long next = -1;

  /** The head as last read ({@link #head}); blocks near it may still change. */
  private volatile long lastHead = Long.MAX_VALUE;

  /** Blocks fetched past the end of the last range, to hand out first. */
  private List<BlockData> leftover = List.of();

  private record Pending(long first, Future<List<BlockData>> blocks) {}

  /** Receives fetched blocks, in order. */
  interface Sink {
    void accept(List<BlockData> blocks) throws Exception;
  }

  /** A fetcher of blocks (with full transactions or not), and of their receipts if asked. */
  BlockFetcher(
      RpcClient rpc,
      int batchSize,
      int concurrency,
      boolean fullTransactions,
      boolean receipts,
      ReceiptSource receiptSource) {
    this.rpc = rpc;
    this.batchSize = batchSize;
    this.concurrency = concurrency;
    this.fullTransactions = fullTransactions;
    this.receipts = receipts;
    this.receiptSource = receiptSource;
    this.depth = concurrency + Math.max(1, READ_AHEAD_BLOCKS / batchSize);
    int id = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              Thread t = new Thread(r, "rpc-" + id + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** A fetcher of blocks only. */
  BlockFetcher(RpcClient rpc, int batchSize, int concurrency, boolean fullTransactions) {
    this(rpc, batchSize, concurrency, fullTransactions, false, new ReceiptSource("", false));
  }

  /** The chain head, {@code eth_blockNumber}. */
  long head() throws TransientRpcException, StoppedException {
    JsonNode result = rpc.call(List.of(new RpcCall("eth_blockNumber", List.of()))).get(0);
    Long head = result.isTextual() ? Hex.quantity(result.textValue()) : null;
    if (head == null) {
      throw new MalformedResponseException(
          "eth_blockNumber: result is not a hex quantity: " + result);
    }
    lastHead = head;
    return head;
  }

  /**
   * Fetches blocks {@code first..last} and hands them to {@code sink} in order; may read ahead up
   * to block {@code limit} ({@code >= last}) for the next range.
   */
  void fetch(long first, long last, long limit, StopSignal stop, Sink sink) throws Exception {
    long firstHeld =
        !leftover.isEmpty()
            ? leftover.get(0).block().number()
            : !window.isEmpty() ? window.peek().first() : next;
    if (firstHeld != first) {
      drop();
      next = first;
    }
    long expect = first;
    try {
      while (expect <= last) {
        List<BlockData> blocks;
        if (!leftover.isEmpty()) {
          blocks = leftover;
          leftover = List.of();
        } else {
          submit(limit);
          blocks = await(window.peek().blocks(), stop);
          window.poll();
          submit(limit);
        }
        int take = (int) Math.min(blocks.size(), last - expect + 1);
        if (take < blocks.size()) {
          leftover = blocks.subList(take, blocks.size());
          blocks = blocks.subList(0, take);
        }
        sink.accept(blocks);
        expect += take;
      }
    } catch (Exception | Error e) {
      drop();
      throw e;
    }
  }

  private void submit(long limit) {
    while (next <= limit && window.size() < depth) {
      long a = next;
      long b = Math.min(limit, a + blocksPerBatch() - 1);
      window.add(new Pending(a, pool.submit(() -> batch(a, b))));
      next = b + 1;
    }
  }

  /** Blocks per batch: about {@code batchSize} calls per request (see the class comment). */
  private int blocksPerBatch() {
    return receipts && !receiptSource.perTransaction() ? Math.max(1, batchSize / 2) : batchSize;
  }

  private void drop() {
    for (Pending p : window) {
      p.blocks().cancel(true);
    }
    window.clear();
    leftover = List.of();
    next = -1;
  }

  private List<BlockData> await(Future<List<BlockData>> future, StopSignal stop) throws Exception {
    while (true) {
      if (stop.stopRequested()) {
        throw new StoppedException();
      }
      try {
        return future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // poll the stop signal again
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
          throw ex;
        }
        throw e;
      }
    }
  }

  private List<BlockData> batch(long first, long last)
      throws TransientRpcException, StoppedException {
    int count = (int) (last - first + 1);
    if (receipts && !receiptSource.perTransaction()) {
      try {
        return rpc.call(
            calls(first, last, fullTransactions, true),
            () -> new BatchDecoder(first, count, fullTransactions, true, this::nearHead));
      } catch (RpcErrorException e) {
        if (!e.methodUnavailable()) {
          throw e;
        }
        receiptSource.blockReceiptsUnavailable(e);
      }
    }
    List<BlockData> blocks =
        rpc.call(
            calls(first, last, fullTransactions, false),
            () -> new BatchDecoder(first, count, fullTransactions, false, this::nearHead));
    return receipts ? withReceiptsPerTransaction(blocks) : blocks;
  }

  /** Whether block {@code n} is within {@link #REORG_WINDOW} of the head (or the head unknown). */
  boolean nearHead(long n) {
    long head = lastHead;
    return head == Long.MAX_VALUE || head - n < REORG_WINDOW;
  }

  /** The blocks with receipts by {@code eth_getTransactionReceipt}, {@code batchSize} a request. */
  private List<BlockData> withReceiptsPerTransaction(List<BlockData> blocks)
      throws TransientRpcException, StoppedException {
    List<long[]> txs = new ArrayList<>();
    List<RpcCall> calls = new ArrayList<>();
    for (int b = 0; b < blocks.size(); b++) {
      byte[][] hashes = blocks.get(b).block().transactionHashes();
      for (int i = 0; i < hashes.length; i++) {
        txs.add(new long[] {b, i});
        calls.add(new RpcCall("eth_getTransactionReceipt", List.of(Hex.encode(hashes[i]))));
      }
    }
    EvmReceipt[] all = new EvmReceipt[calls.size()];
    for (int from = 0; from < calls.size(); from += batchSize) {
      int to = Math.min(calls.size(), from + batchSize);
      List<RpcCall> chunk = calls.subList(from, to);
      List<long[]> which = txs.subList(from, to);
      EvmReceipt[] got = rpc.call(chunk, () -> new ReceiptReader(blocks, which));
      System.arraycopy(got, 0, all, from, got.length);
    }
    List<BlockData> out = new ArrayList<>(blocks.size());
    int at = 0;
    for (BlockData d : blocks) {
      byte[][] hashes = d.block().transactionHashes();
      int n = hashes.length;
      try {
        for (int i = 0; i < n; i++) {
          if (all[at + i] == null) {
            throw new Receipts.Mismatch(
                d.block().number(),
                "the node has no receipt of transaction "
                    + i
                    + " ("
                    + Hex.encode(hashes[i])
                    + ")");
          }
        }
        out.add(Receipts.attach(d.block(), Arrays.asList(all).subList(at, at + n)));
      } catch (Receipts.Mismatch m) {
        throw mismatch(m, this::nearHead);
      }
      at += n;
    }
    return out;
  }

  /**
   * A mismatch between a block and its receipts, as the failure to throw: near the head a
   * reorganisation, read again (a transient failure, returned); deeper a node serving data that
   * does not fit together, which no retry mends.
   *
   * @throws MalformedResponseException deeper than {@link #REORG_WINDOW} below the head
   */
  static TransientRpcException mismatch(Receipts.Mismatch m, LongPredicate near) {
    if (near.test(m.block)) {
      return new TransientRpcException(
          m.getMessage()
              + ": the receipts do not match the block (a reorganisation near the head?); read"
              + " again",
          null);
    }
    throw new MalformedResponseException(
        m.getMessage()
            + ": the receipts do not match the block, "
            + REORG_WINDOW
            + " or more blocks below the head, where the chain does not change any more (a node"
            + " that serves data that does not fit together, or that no longer indexes old"
            + " transactions)");
  }

  /** The calls of one batch: each block, then each block's receipts when asked. */
  static List<RpcCall> calls(long first, long last, boolean fullTransactions, boolean receipts) {
    int count = (int) (last - first + 1);
    List<RpcCall> calls = new ArrayList<>(receipts ? 2 * count : count);
    for (long n = first; n <= last; n++) {
      calls.add(new RpcCall("eth_getBlockByNumber", List.of(Hex.quantity(n), fullTransactions)));
    }
    if (receipts) {
      for (long n = first; n <= last; n++) {
        calls.add(new RpcCall("eth_getBlockReceipts", List.of(Hex.quantity(n))));
      }
    }
    return calls;
  }

  /**
   * Decodes one batch answer: the blocks in order, each with its receipts (and their logs) when
   * asked, checked against it.
   */
  static final class BatchDecoder implements RpcClient.BatchReader<List<BlockData>> {
    private final long first;
    private final boolean fullTransactions;
    private final boolean receipts;
    private final LongPredicate nearHead;
    private final EvmBlock[] blocks;
    private final List<EvmReceipt>[] blockReceipts;
    private final RpcDecoder.Names names = new RpcDecoder.Names();

    @SuppressWarnings("unchecked")
    BatchDecoder(
        long first,
        int count,
        boolean fullTransactions,
        boolean receipts,
        LongPredicate nearHead) {
      this.first = first;
      this.fullTransactions = fullTransactions;
      this.receipts = receipts;
      this.nearHead = nearHead;
      this.blocks = new EvmBlock[count];
      this.blockReceipts = new List[count];
    }

    @Override
    public void result(int index, JsonScanner s) throws TransientRpcException {
      if (index < blocks.length) {
        long n = first + index;
        if (s.nullValue()) {
          throw new TransientRpcException("provider has no block " + n + " yet", null);
        }
        blocks[index] = RpcDecoder.block(n, s, names, fullTransactions);
        return;
      }
      int b = index - blocks.length;
      long n = first + b;
      if (s.nullValue()) {
        throw new TransientRpcException("provider has no receipts of block " + n + " yet", null);
      }
      if (s.peek() != '[') {
        throw new MalformedResponseException(
            "receipts of block " + n + ": result is not an array: " + s.describeValue());
      }
      List<EvmReceipt> list = new ArrayList<>();
      s.startArray();
      while (s.nextElement()) {
        list.add(RpcDecoder.receipt(n, list.size(), s, names));
      }
      blockReceipts[b] = list;
    }

    @Override
    public List<BlockData> finish() throws TransientRpcException {
      List<BlockData> out = new ArrayList<>(blocks.length);
      for (int i = 0; i < blocks.length; i++) {
        EvmBlock block = blocks[i];
        if (!receipts) {
          out.add(new BlockData(block, List.of(), List.of()));
          continue;
        }
        try {
          out.add(Receipts.attach(block, blockReceipts[i]));
        } catch (Receipts.Mismatch m) {
          throw mismatch(m, nearHead);
        }
      }
      return out;
    }
  }

  /**
   * Decodes receipts by transaction: each call's result is the receipt of one transaction, or null
   * when the node has none (checked with the block's other receipts).
   */
  private static final class ReceiptReader implements RpcClient.BatchReader<EvmReceipt[]> {
    private final List<BlockData> blocks;
    private final List<long[]> txs;
    private final EvmReceipt[] out;
    private final RpcDecoder.Names names = new RpcDecoder.Names();

    ReceiptReader(List<BlockData> blocks, List<long[]> txs) {
      this.blocks = blocks;
      this.txs = txs;
      this.out = new EvmReceipt[txs.size()];
    }

    @Override
    public void result(int index, JsonScanner s) {
      long n = blocks.get((int) txs.get(index)[0]).block().number();
      int tx = (int) txs.get(index)[1];
      if (!s.nullValue()) {
        out[index] = RpcDecoder.receipt(n, tx, s, names);
      }
    }

    @Override
    public EvmReceipt[] finish() {
      return out;
    }
  }

  @Override
  public void close() {
    drop();
    pool.shutdownNow();
  }
}
