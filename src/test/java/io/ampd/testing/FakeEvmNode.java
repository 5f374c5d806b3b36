package io.ampd.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A JSON-RPC node serving a {@link SyntheticChain} on {@code 127.0.0.1:<free port>}: enough of the
 * Ethereum API for extraction ({@code eth_blockNumber}, {@code eth_getBlockByNumber(n, full)},
 * {@code eth_getBlockReceipts(n)}, {@code eth_getTransactionReceipt(hash)}, {@code
 * eth_getLogs({fromBlock, toBlock})}), single and batch requests, and faults on demand: HTTP
 * errors, JSON-RPC errors, delays, a malformed block, receipts that do not match their block, no
 * {@code eth_getBlockReceipts} (in two forms, see {@link BlockReceipts}), HTTP 429, a batch size
 * limit (HTTP 413 or a JSON-RPC error); optionally over HTTPS. It records when each request arrived
 * and each batch's size. The head can be moved while it runs (follow-head tests). Responses are
 * generated on the fly with Jackson's streaming generator, fast enough to serve 100,000s of blocks
 * for the benchmark.
 */
public final class FakeEvmNode implements AutoCloseable {
  /** Ways to break a block's JSON. */
  public enum Malformation {
    /** The {@code timestamp} field is left out. */
    MISSING_TIMESTAMP,
    /** {@code gasUsed} is {@code "0xzz"}. */
    BAD_HEX_GAS_USED,
    /** {@code number} is one more than asked for. */
    WRONG_NUMBER
  }

  /** How a batch over {@link #limitBatch} calls is refused. */
  public enum BatchRefusal {
    /** HTTP 413 with an empty body. */
    HTTP_413,
    /** One JSON-RPC error for the whole batch, as geth sends: -32600 "batch too large". */
    RPC_ERROR
  }

  /** Whether and how {@code eth_getBlockReceipts} is served. */
  public enum BlockReceipts {
    SERVED,
    /** Each call answered with geth's -32601 "the method … does not exist/is not available". */
    METHOD_NOT_FOUND,
    /**
     * A request holding such a call answered as a whole, in an HTTP 200, with one JSON-RPC error of
     * another code whose message alone says it: -32700 "Method eth_getBlockReceipts is not
     * available".
     */
    MESSAGE_ONLY
  }

  /** Ways a block's receipts can disagree with the block. */
  public enum ReceiptCorruption {
    /** The last receipt is left out ({@code eth_getTransactionReceipt}: answered null). */
    MISSING,
    /** The first receipt names another transaction hash. */
    TX_HASH,
    /** The first receipt names another block hash. */
    BLOCK_HASH
  }

  private record Corruption(ReceiptCorruption how, AtomicInteger times) {}

  private static final JsonFactory JSON = new JsonFactory();

  private final SyntheticChain chain;
  private volatile SyntheticChain switchTo;
  private volatile long switchAfter = Long.MAX_VALUE;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicLong head;
  private final AtomicInteger httpFailures = new AtomicInteger();
  private volatile int httpFailureStatus = 500;
  private final AtomicInteger rpcFailures = new AtomicInteger();
  private volatile String quotedHeader;
  private final Queue<Headers> requestHeaders = new ConcurrentLinkedQueue<>();
  private final AtomicInteger delays = new AtomicInteger();
  private volatile Duration delay = Duration.ZERO;
  private final Map<Long, Malformation> malformed = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private final Queue<Long> arrivals = new ConcurrentLinkedQueue<>();
  private final Queue<Integer> batchSizes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger throttled = new AtomicInteger();
  private volatile String retryAfter;
  private volatile int batchLimit = Integer.MAX_VALUE;
  private volatile BatchRefusal batchRefusal = BatchRefusal.HTTP_413;
  private volatile boolean chunked;
  private final boolean https;
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private volatile BlockReceipts blockReceipts = BlockReceipts.SERVED;
  private final Map<Long, Corruption> corrupted = new ConcurrentHashMap<>();

  private FakeEvmNode(SyntheticChain chain, long head, int threads, SSLContext tls)
      throws IOException {
    this.chain = chain;
    this.head = new AtomicLong(head);
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    this.https = tls != null;
    if (tls == null) {
      this.server = HttpServer.create(address, 64);
    } else {
      HttpsServer secure = HttpsServer.create(address, 64);
      secure.setHttpsConfigurator(new HttpsConfigurator(tls));
      this.server = secure;
    }
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "fake-evm-node-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A node whose head is block {@code head}, served by {@code threads} threads. */
  public static FakeEvmNode start(SyntheticChain chain, long head, int threads) throws IOException {
    return new FakeEvmNode(chain, head, threads, null);
  }

  /** A node served over HTTPS with the key and certificate of {@code tls}. */
  public static FakeEvmNode startHttps(SyntheticChain chain, long head, int threads, SSLContext tls)
      throws IOException {
    return new FakeEvmNode(chain, head, threads, tls);
  }

  public String url() {
    return (https ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** When each request arrived ({@link System#nanoTime}), in order of arrival. */
  public List<Long> arrivals() {
    List<Long> all = new ArrayList<>(arrivals);
    Collections.sort(all);
    return all;
  }

  /** The number of calls of each batch request, refused ones included, in order of arrival. */
  public List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  /**
   * The next {@code count} requests get HTTP 429 with {@code retryAfter} as their {@code
   * Retry-After} header (none when null).
   */
  public void throttle(int count, String retryAfter) {
    this.retryAfter = retryAfter;
    throttled.set(count);
  }

  /** From now on a batch of more than {@code max} calls is refused {@code how}. */
  public void limitBatch(int max, BatchRefusal how) {
    batchRefusal = how;
    batchLimit = max;
  }

  /** Answers without Content-Length (chunked), so a client learns their size only as it reads. */
  public void chunked(boolean chunked) {
    this.chunked = chunked;
  }

  public SyntheticChain chain() {
    return chain;
  }

  public void setHead(long block) {
    head.set(block);
  }

  public long head() {
    return head.get();
  }

  /** HTTP requests served so far (each batch counts once). */
  public long requests() {
    return requests.get();
  }

  /** The next {@code count} requests get HTTP {@code status} with an empty body. */
  public void failRequests(int count, int status) {
    httpFailureStatus = status;
    httpFailures.set(count);
  }

  /** The next {@code count} requests get JSON-RPC error -32000 for every call. */
  public void rpcErrors(int count) {
    quotedHeader = null;
    rpcFailures.set(count);
  }

  /**
   * The next {@code count} requests get JSON-RPC error -32001 for every call, its message quoting
   * the request's header {@code header} as received, as a node refusing a bad API key may.
   */
  public void rpcErrorsQuoting(int count, String header) {
    quotedHeader = header;
    rpcFailures.set(count);
  }

  /** The values of header {@code name} of every request, in order of arrival; null when absent. */
  public List<String> requestHeader(String name) {
    List<String> out = new ArrayList<>();
    for (Headers h : requestHeaders) {
      out.add(h.getFirst(name));
    }
    return out;
  }

  /** The next {@code count} requests are answered after {@code delay}. */
  public void delayRequests(int count, Duration delay) {
    this.delay = delay;
    delays.set(count);
  }

  /**
   * After {@code requests} more requests, every request is answered from {@code next} (a {@link
   * SyntheticChain#fork} of this node's chain): a reorganisation between two requests.
   */
  public void switchChain(SyntheticChain next, long requests) {
    switchTo = next;
    switchAfter = this.requests.get() + requests;
  }

  /** Calls of {@code method} answered so far (refused ones included). */
  public long calls(String method) {
    AtomicLong n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** From now on {@code eth_getBlockReceipts} is served {@code how}. */
  public void blockReceipts(BlockReceipts how) {
    blockReceipts = how;
  }

  /** The receipts of block {@code block} are served {@code how}, the next {@code times} times. */
  public void corruptReceipts(long block, ReceiptCorruption how, int times) {
    corrupted.put(block, new Corruption(how, new AtomicInteger(times)));
  }

  /** Block {@code block} is served broken, every time. */
  public void malform(long block, Malformation how) {
    malformed.put(block, how);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      SyntheticChain chain = requests.incrementAndGet() > switchAfter ? switchTo : this.chain;
      arrivals.add(System.nanoTime());
      requestHeaders.add(exchange.getRequestHeaders());
      JsonNode request;
      try (InputStream in = exchange.getRequestBody()) {
        request = mapper.readTree(in);
      }
      if (request.isArray()) {
        batchSizes.add(request.size());
      }
      if (throttled.getAndUpdate(c -> c > 0 ? c - 1 : 0) > 0) {
        if (retryAfter != null) {
          exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(429, -1);
        return;
      }
      if (httpFailures.getAndUpdate(c -> c > 0 ? c - 1 : 0) > 0) {
        exchange.sendResponseHeaders(httpFailureStatus, -1);
        return;
      }
      if (request.isArray() && request.size() > batchLimit) {
        if (batchRefusal == BatchRefusal.HTTP_413) {
          exchange.sendResponseHeaders(413, -1);
          return;
        }
        byte[] refusal =
            ("{\"jsonrpc\":\"2.0\",\"id\":null,"
                    + "\"error\":{\"code\":-32600,\"message\":\"batch too large\"}}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, refusal.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(refusal);
        }
        return;
      }
      if (delays.getAndUpdate(c -> c > 0 ? c - 1 : 0) > 0) {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      count(request);
      if (refuseBlockReceipts(exchange, request)) {
        return;
      }
      String rpcError = null;
      if (rpcFailures.getAndUpdate(c -> c > 0 ? c - 1 : 0) > 0) {
        String quoted = quotedHeader;
        rpcError =
            quoted == null
                ? "header not found"
                : "invalid credentials: " + exchange.getRequestHeaders().getFirst(quoted);
      }
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
      try (JsonGenerator g = JSON.createGenerator(buffer)) {
        if (request.isArray()) {
          g.writeStartArray();
          for (JsonNode call : request) {
            answer(g, chain, call, rpcError);
          }
          g.writeEndArray();
        } else {
          answer(g, chain, request, rpcError);
        }
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, chunked ? 0 : buffer.size());
      try (OutputStream out = exchange.getResponseBody()) {
        buffer.writeTo(out);
      }
    }
  }

  private void count(JsonNode request) {
    for (JsonNode call : request.isArray() ? request : List.of(request)) {
      calls.computeIfAbsent(call.path("method").asText(), m -> new AtomicLong()).incrementAndGet();
    }
  }

  /** {@link BlockReceipts#MESSAGE_ONLY}: a request asking for block receipts answered whole. */
  private boolean refuseBlockReceipts(HttpExchange exchange, JsonNode request) throws IOException {
    if (blockReceipts != BlockReceipts.MESSAGE_ONLY) {
      return false;
    }
    boolean asks = false;
    for (JsonNode call : request.isArray() ? request : List.of(request)) {
      asks |= call.path("method").asText().equals("eth_getBlockReceipts");
    }
    if (!asks) {
      return false;
    }
    byte[] body =
        ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
                + "\"message\":\"Method eth_getBlockReceipts is not available\"}}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
    return true;
  }

  private void answer(JsonGenerator g, SyntheticChain chain, JsonNode call, String rpcError)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("jsonrpc", "2.0");
    g.writeFieldName("id");
    g.writeNumber(call.path("id").asLong());
    if (rpcError != null) {
      error(g, rpcError.startsWith("invalid") ? -32001 : -32000, rpcError);
      return;
    }
    String method = call.path("method").asText();
    JsonNode params = call.path("params");
    switch (method) {
      case "eth_blockNumber" -> g.writeStringField("result", hex(head.get()));
      case "eth_getBlockByNumber" -> {
        long n = quantity(params.path(0).asText());
        g.writeFieldName("result");
        if (n < 0 || n > head.get()) {
          g.writeNull();
        } else {
          writeBlock(g, chain.block(n), params.path(1).asBoolean(false));
        }
      }
      case "eth_getBlockReceipts" -> {
        if (blockReceipts == BlockReceipts.METHOD_NOT_FOUND) {
          error(g, -32601, "the method eth_getBlockReceipts does not exist/is not available");
          return;
        }
        long n = quantity(params.path(0).asText());
        g.writeFieldName("result");
        if (n < 0 || n > head.get()) {
          g.writeNull();
        } else {
          SyntheticChain.Block b = chain.block(n);
          ReceiptCorruption broken = corruption(n);
          g.writeStartArray();
          int count = b.transactions().size();
          if (broken == ReceiptCorruption.MISSING) {
            count--;
          }
          for (int i = 0; i < count; i++) {
            writeReceipt(g, b, b.transactions().get(i), i == 0 ? broken : null);
          }
          g.writeEndArray();
        }
      }
      case "eth_getTransactionReceipt" -> {
        String hash = params.path(0).asText();
        long[] at = SyntheticChain.locate(hash);
        g.writeFieldName("result");
        SyntheticChain.Block b = at == null || at[0] > head.get() ? null : chain.block(at[0]);
        SyntheticChain.Tx tx =
            b == null || at[1] >= b.transactions().size()
                ? null
                : b.transactions().get((int) at[1]);
        if (tx == null || !tx.hash().equals(hash)) {
          g.writeNull();
        } else {
          ReceiptCorruption broken = peekCorruption(b.number());
          boolean last = at[1] == b.transactions().size() - 1;
          boolean first = at[1] == 0;
          boolean missing = broken == ReceiptCorruption.MISSING;
          if ((missing && last) || (broken != null && !missing && first)) {
            broken = corruption(b.number());
          } else {
            broken = null;
          }
          if (broken == ReceiptCorruption.MISSING) {
            g.writeNull();
          } else {
            writeReceipt(g, b, tx, broken);
          }
        }
      }
      case "eth_getLogs" -> {
        long from = quantity(params.path(0).path("fromBlock").asText());
        long to = Math.min(quantity(params.path(0).path("toBlock").asText()), head.get());
        g.writeArrayFieldStart("result");
        for (long n = from; n <= to; n++) {
          writeLogs(g, chain.block(n));
        }
        g.writeEndArray();
      }
      default -> {
        error(g, -32601, "the method " + method + " does not exist/is not available");
        return;
      }
    }
    g.writeEndObject();
  }

  private static void error(JsonGenerator g, int code, String message) throws IOException {
    g.writeObjectFieldStart("error");
    g.writeNumberField("code", code);
    g.writeStringField("message", message);
    g.writeEndObject();
    g.writeEndObject();
  }

  private void writeBlock(JsonGenerator g, SyntheticChain.Block b, boolean full)
      throws IOException {
    Malformation broken = malformed.get(b.number());
    g.writeStartObject();
    g.writeStringField(
        "number", hex(broken == Malformation.WRONG_NUMBER ? b.number() + 1 : b.number()));
    g.writeStringField("hash", b.hash());
    g.writeStringField("parentHash", b.parentHash());
    if (broken != Malformation.MISSING_TIMESTAMP) {
      g.writeStringField("timestamp", hex(b.timestamp()));
    }
    g.writeStringField("miner", b.miner());
    g.writeStringField("stateRoot", b.stateRoot());
    g.writeStringField("transactionsRoot", b.transactionsRoot());
    g.writeStringField("receiptsRoot", b.receiptsRoot());
    g.writeStringField(
        "gasUsed", broken == Malformation.BAD_HEX_GAS_USED ? "0xzz" : hex(b.gasUsed()));
    g.writeStringField("gasLimit", hex(b.gasLimit()));
    if (b.baseFeePerGas() != null) {
      g.writeStringField("baseFeePerGas", hex(b.baseFeePerGas()));
    }
    g.writeStringField("difficulty", hex(b.difficulty()));
    g.writeStringField("size", hex(b.size()));
    g.writeStringField("extraData", b.extraData());
    g.writeStringField("nonce", b.nonce());
    g.writeStringField("sha3Uncles", b.ommersHash());
    g.writeStringField("logsBloom", b.logsBloom());
    g.writeStringField("mixHash", b.mixHash());
    if (b.totalDifficulty() != null) {
      g.writeStringField("totalDifficulty", hex(b.totalDifficulty()));
    }
    if (b.withdrawalsRoot() != null) {
      g.writeStringField("withdrawalsRoot", b.withdrawalsRoot());
      g.writeArrayFieldStart("withdrawals");
      g.writeEndArray();
    }
    if (b.blobGasUsed() != null) {
      g.writeStringField("blobGasUsed", hex(b.blobGasUsed()));
      g.writeStringField("excessBlobGas", hex(b.excessBlobGas()));
      g.writeStringField("parentBeaconBlockRoot", b.parentBeaconRoot());
    }
    if (b.requestsHash() != null) {
      g.writeStringField("requestsHash", b.requestsHash());
    }
    g.writeArrayFieldStart("uncles");
    g.writeEndArray();
    g.writeArrayFieldStart("transactions");
    for (SyntheticChain.Tx tx : b.transactions()) {
      if (!full) {
        g.writeString(tx.hash());
        continue;
      }
      g.writeStartObject();
      g.writeStringField("blockHash", b.hash());
      g.writeStringField("blockNumber", hex(b.number()));
      g.writeStringField("transactionIndex", hex(tx.index()));
      g.writeStringField("hash", tx.hash());
      g.writeStringField("from", tx.from());
      if (tx.to() == null) {
        g.writeNullField("to");
      } else {
        g.writeStringField("to", tx.to());
      }
      g.writeStringField("nonce", hex(tx.nonce()));
      g.writeStringField("value", hex(tx.value()));
      g.writeStringField("gas", hex(tx.gas()));
      g.writeStringField("gasPrice", hex(tx.gasPrice()));
      if (tx.maxFeePerGas() != null) {
        g.writeStringField("maxFeePerGas", hex(tx.maxFeePerGas()));
        g.writeStringField("maxPriorityFeePerGas", hex(tx.maxPriorityFeePerGas()));
      }
      if (tx.maxFeePerBlobGas() != null) {
        g.writeStringField("maxFeePerBlobGas", hex(tx.maxFeePerBlobGas()));
      }
      g.writeStringField("input", tx.input());
      g.writeStringField("type", hex(tx.type()));
      if (tx.chainIdServed()) {
        g.writeStringField("chainId", hex(tx.chainId()));
      }
      g.writeStringField("v", hex(tx.v()));
      if (tx.type() != 0) {
        g.writeStringField("yParity", tx.yParity() ? "0x1" : "0x0");
      }
      g.writeStringField("r", dropLeadingZeros(tx.r()));
      g.writeStringField("s", dropLeadingZeros(tx.s()));
      if (tx.accessList() != null) {
        g.writeArrayFieldStart("accessList");
        for (SyntheticChain.AccessListEntry e : tx.accessList()) {
          g.writeStartObject();
          g.writeStringField("address", e.address());
          g.writeArrayFieldStart("storageKeys");
          for (String key : e.storageKeys()) {
            g.writeString(key);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      if (tx.blobVersionedHashes() != null) {
        g.writeArrayFieldStart("blobVersionedHashes");
        for (String h : tx.blobVersionedHashes()) {
          g.writeString(h);
        }
        g.writeEndArray();
      }
      if (tx.authorizationList() != null) {
        g.writeArrayFieldStart("authorizationList");
        for (SyntheticChain.Authorization a : tx.authorizationList()) {
          g.writeStartObject();
          g.writeStringField("chainId", hex(a.chainId()));
          g.writeStringField("address", a.address());
          g.writeStringField("nonce", hex(a.nonce()));
          g.writeStringField("yParity", a.yParity() ? "0x1" : "0x0");
          g.writeStringField("r", dropLeadingZeros(a.r()));
          g.writeStringField("s", dropLeadingZeros(a.s()));
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** The corruption of block {@code n}'s receipts if it is still due (and counts it). */
  private ReceiptCorruption corruption(long n) {
    Corruption c = corrupted.get(n);
    return c != null && c.times().getAndDecrement() > 0 ? c.how() : null;
  }

  private ReceiptCorruption peekCorruption(long n) {
    Corruption c = corrupted.get(n);
    return c != null && c.times().get() > 0 ? c.how() : null;
  }

  private static void writeReceipt(
      JsonGenerator g, SyntheticChain.Block b, SyntheticChain.Tx tx, ReceiptCorruption broken)
      throws IOException {
    g.writeStartObject();
    g.writeStringField(
        "blockHash", broken == ReceiptCorruption.BLOCK_HASH ? b.stateRoot() : b.hash());
    g.writeStringField("blockNumber", hex(b.number()));
    g.writeStringField("contractAddress", tx.contractAddress());
    g.writeStringField("cumulativeGasUsed", hex(tx.cumulativeGasUsed()));
    g.writeStringField("effectiveGasPrice", hex(tx.effectiveGasPrice()));
    g.writeStringField("from", tx.from());
    g.writeStringField("gasUsed", hex(tx.gasUsed()));
    g.writeArrayFieldStart("logs");
    for (SyntheticChain.Log log : b.logs()) {
      if (log.txIndex() == tx.index()) {
        writeLog(g, b, log);
      }
    }
    g.writeEndArray();
    g.writeStringField("logsBloom", "0x" + "00".repeat(256));
    if (tx.root() != null) {
      g.writeStringField("root", tx.root());
    } else {
      g.writeStringField("status", tx.status() ? "0x1" : "0x0");
    }
    if (tx.to() == null) {
      g.writeNullField("to");
    } else {
      g.writeStringField("to", tx.to());
    }
    g.writeStringField(
        "transactionHash", broken == ReceiptCorruption.TX_HASH ? b.stateRoot() : tx.hash());
    g.writeStringField("transactionIndex", hex(tx.index()));
    g.writeStringField("type", hex(tx.type()));
    if (tx.blobGasUsed() != null) {
      g.writeStringField("blobGasUsed", hex(tx.blobGasUsed()));
      g.writeStringField("blobGasPrice", hex(tx.blobGasPrice()));
    }
    g.writeEndObject();
  }

  private static void writeLogs(JsonGenerator g, SyntheticChain.Block b) throws IOException {
    for (SyntheticChain.Log log : b.logs()) {
      writeLog(g, b, log);
    }
  }

  private static void writeLog(JsonGenerator g, SyntheticChain.Block b, SyntheticChain.Log log)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("address", log.address());
    g.writeArrayFieldStart("topics");
    for (String topic : log.topics()) {
      g.writeString(topic);
    }
    g.writeEndArray();
    g.writeStringField("data", log.data());
    g.writeStringField("blockNumber", hex(b.number()));
    g.writeStringField("transactionHash", log.txHash());
    g.writeStringField("transactionIndex", hex(log.txIndex()));
    g.writeStringField("blockHash", b.hash());
    g.writeStringField("logIndex", hex(log.logIndex()));
    g.writeBooleanField("removed", false);
    g.writeEndObject();
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  private static String hex(BigInteger v) {
    return "0x" + v.toString(16);
  }

  /** Data as a quantity: leading zeros dropped, as nodes send a signature's r and s. */
  private static String dropLeadingZeros(String data) {
    return hex(new BigInteger(data.substring(2), 16));
  }

  private static long quantity(String s) {
    return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : -1;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
