package io.ampd.extract;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.worker.StopSignal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches a range of blocks with their logs, in order, from one provider.
 *
 * <p>The range is cut into batches of {@code batchSize} blocks; a batch is one JSON-RPC batch
 * request of {@code eth_getBlockByNumber(n, full)} for each block plus, when logs are extracted,
 * one {@code eth_getLogs} over the same blocks (every node supports both, and one {@code
 * eth_getLogs} over a range costs the node far less than a receipt call per block). At most {@code
 * concurrency} batches are in flight on as many threads; the caller's thread hands finished batches
 * to the sink strictly in block order.
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

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final RpcClient rpc;
  private final int batchSize;
  private final int concurrency;
  private final boolean fullTransactions;
  private final boolean logs;
  private final ExecutorService pool;
  private final int depth;

  /** Batches submitted and not handed out yet, in block order. */
  private final ArrayDeque<Pending> window = new ArrayDeque<>();

  /** The first block not submitted yet. */
  private long next = -1;

  /** Blocks fetched past the end of the last range, to hand out first. */
  private List<BlockData> leftover = List.of();

  private record Pending(long first, Future<List<BlockData>> blocks) {}

  /** Receives fetched blocks, in order. */
  interface Sink {
    void accept(List<BlockData> blocks) throws Exception;
  }

  BlockFetcher(
      RpcClient rpc, int batchSize, int concurrency, boolean fullTransactions, boolean logs) {
    this.rpc = rpc;
    this.batchSize = batchSize;
    this.concurrency = concurrency;
    this.fullTransactions = fullTransactions;
    this.logs = logs;
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

  /** The chain head, {@code eth_blockNumber}. */
  long head() throws TransientRpcException, StoppedException {
    JsonNode result = rpc.call(List.of(new RpcCall("eth_blockNumber", List.of()))).get(0);
    Long head = result.isTextual() ? Hex.quantity(result.textValue()) : null;
    if (head == null) {
      throw new MalformedResponseException(
          "eth_blockNumber: result is not a hex quantity: " + result);
    }
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
      long b = Math.min(limit, a + batchSize - 1);
      window.add(new Pending(a, pool.submit(() -> batch(a, b))));
      next = b + 1;
    }
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
    List<RpcCall> calls = calls(first, last, fullTransactions, logs);
    return rpc.call(calls, () -> new BatchDecoder(first, count, fullTransactions, logs));
  }

  /** The calls of one batch: each block, then the logs of them all. */
  static List<RpcCall> calls(long first, long last, boolean fullTransactions, boolean logs) {
    int count = (int) (last - first + 1);
    List<RpcCall> calls = new ArrayList<>(count + 1);
    for (long n = first; n <= last; n++) {
      calls.add(new RpcCall("eth_getBlockByNumber", List.of(Hex.quantity(n), fullTransactions)));
    }
    if (logs) {
      calls.add(
          new RpcCall(
              "eth_getLogs",
              List.of(Map.of("fromBlock", Hex.quantity(first), "toBlock", Hex.quantity(last)))));
    }
    return calls;
  }

  /** Decodes one batch answer: the blocks in order, each with its logs. */
  static final class BatchDecoder implements RpcClient.BatchReader<List<BlockData>> {
    private final long first;
    private final long last;
    private final boolean fullTransactions;
    private final boolean logs;
    private final EvmBlock[] blocks;
    private final RpcDecoder.Names names = new RpcDecoder.Names();

    /** The logs of all blocks in the order served, and how many each block has. */
    private final ArrayList<EvmLog> allLogs = new ArrayList<>();

    private final int[] logCounts;

    BatchDecoder(long first, int count, boolean fullTransactions, boolean logs) {
      this.first = first;
      this.last = first + count - 1;
      this.fullTransactions = fullTransactions;
      this.logs = logs;
      this.blocks = new EvmBlock[count];
      this.logCounts = new int[count];
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
      if (s.peek() != '[') {
        throw new MalformedResponseException(
            "logs of blocks " + first + "-" + last + ": result is not an array");
      }
      allLogs.clear();
      Arrays.fill(logCounts, 0);
      s.startArray();
      int i = 0;
      while (s.nextElement()) {
        EvmLog log = RpcDecoder.log(first, last, i++, s, names);
        allLogs.add(log);
        logCounts[(int) (log.blockNumber() - first)]++;
      }
    }

    @Override
    public List<BlockData> finish() throws TransientRpcException {
      EvmLog[][] byBlock = new EvmLog[blocks.length][];
      for (int i = 0; i < blocks.length; i++) {
        byBlock[i] = logCounts[i] == 0 ? NO_LOGS : new EvmLog[logCounts[i]];
      }
      int[] filled = new int[blocks.length];
      for (EvmLog log : allLogs) {
        int i = (int) (log.blockNumber() - first);
        byBlock[i][filled[i]++] = log;
      }
      List<BlockData> out = new ArrayList<>(blocks.length);
      for (int i = 0; i < blocks.length; i++) {
        EvmBlock block = blocks[i];
        if (logs) {
          for (EvmLog log : byBlock[i]) {
            if (!Arrays.equals(log.blockHash(), block.hash())) {
              throw new TransientRpcException(
                  "block "
                      + (first + i)
                      + ": logs and block disagree on the block hash (a reorganisation?)",
                  null);
            }
          }
        }
        out.add(
            new BlockData(block, byBlock[i].length == 0 ? List.of() : Arrays.asList(byBlock[i])));
      }
      return out;
    }
  }

  private static final EvmLog[] NO_LOGS = new EvmLog[0];

  @Override
  public void close() {
    drop();
    pool.shutdownNow();
  }
}
