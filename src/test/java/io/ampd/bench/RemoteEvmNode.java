package io.ampd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The extraction benchmark's remote-like node, in a JVM of its own: {@code RemoteEvmNode <seed>
 * <head> <threads> <latency-ms>}. It stands for a hosted provider across the internet: every answer
 * leaves {@code latency-ms} after its request arrived, and costs the node almost no CPU, as a
 * provider's CPU is not on the user's machine.
 *
 * <p>At start it renders every block of {@code new SyntheticChain(seed)} up to {@code head}, with
 * full transactions, and every block's receipts ({@code eth_getBlockByNumber(n, true)} and {@code
 * eth_getBlockReceipts(n)}, the calls the extractor makes) through an in-process {@link
 * FakeEvmNode}, and keeps each result's JSON bytes in memory. A request of only those calls is then
 * answered by copying bytes; any other request (the chain head, receipts per transaction) is passed
 * to the in-process node. Each HTTP request waits for its latency on the serving thread, so {@code
 * threads} must be at least the number of requests in flight.
 *
 * <p>{@code {"method":"bench_stats"}} answers {@code {"requests": r, "calls": c}} at once: the HTTP
 * requests and JSON-RPC calls served so far (itself not counted), so the benchmark can give the
 * node's CPU per request. Prints {@value #READY}{@code <url>} once it accepts requests; runs until
 * it is killed (the benchmark that started it does, by pid).
 */
public final class RemoteEvmNode {
  static final String READY = "remote-evm-node ready at ";

  /** Calls per pre-rendering request to the in-process node. */
  private static final int RENDER_BATCH = 200;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final byte[][] blocks;
  private final byte[][] receipts;
  private final long head;
  private final long latencyNanos;
  private final String inner;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();

  private RemoteEvmNode(
      byte[][] blocks, byte[][] receipts, long head, long latencyNanos, String inner) {
    this.blocks = blocks;
    this.receipts = receipts;
    this.head = head;
    this.latencyNanos = latencyNanos;
    this.inner = inner;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: RemoteEvmNode <seed> <head> <threads> <latency-ms>");
      System.exit(2);
    }
    long head = Long.parseLong(args[1]);
    int threads = Integer.parseInt(args[2]);
    long latencyMillis = Long.parseLong(args[3]);
    FakeEvmNode node =
        FakeEvmNode.start(new SyntheticChain(Long.parseLong(args[0])), head, Math.min(threads, 4));
    long t0 = System.nanoTime();
    byte[][] blocks = new byte[(int) head + 1][];
    byte[][] receipts = new byte[(int) head + 1][];
    long bytes = render(node.url(), head, blocks, receipts);
    System.out.printf(
        "rendered blocks 0..%d with receipts: %,d MiB in %.1f s%n",
        head, bytes >> 20, (System.nanoTime() - t0) / 1e9);
    RemoteEvmNode remote =
        new RemoteEvmNode(
            blocks, receipts, head, TimeUnit.MILLISECONDS.toNanos(latencyMillis), node.url());
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "remote-evm-node-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", remote::handle);
    server.start();
    System.out.println(READY + "http://127.0.0.1:" + server.getAddress().getPort() + "/");
    System.out.flush();
    new CountDownLatch(1).await();
  }

  /**
   * Fills {@code blocks} and {@code receipts} from the node at {@code url}; returns their bytes.
   */
  private static long render(String url, long head, byte[][] blocks, byte[][] receipts)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    long bytes = 0;
    int per = RENDER_BATCH / 2;
    for (long a = 0; a <= head; a += per) {
      long b = Math.min(head, a + per - 1);
      StringBuilder body = new StringBuilder("[");
      for (long i = a; i <= b; i++) {
        String hex = "\"0x" + Long.toHexString(i) + "\"";
        body.append(body.length() > 1 ? "," : "")
            .append("{\"jsonrpc\":\"2.0\",\"id\":")
            .append(2 * (i - a))
            .append(",\"method\":\"eth_getBlockByNumber\",\"params\":[")
            .append(hex)
            .append(",true]},{\"jsonrpc\":\"2.0\",\"id\":")
            .append(2 * (i - a) + 1)
            .append(",\"method\":\"eth_getBlockReceipts\",\"params\":[")
            .append(hex)
            .append("]}");
      }
      body.append(']');
      HttpResponse<byte[]> response =
          client.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      for (JsonNode answer : MAPPER.readTree(response.body())) {
        long id = answer.path("id").asLong();
        int block = (int) (a + id / 2);
        byte[] result = MAPPER.writeValueAsBytes(answer.get("result"));
        if (answer.get("result") == null || answer.get("result").isNull()) {
          throw new IOException("the in-process node has no answer for " + answer);
        }
        bytes += result.length;
        if (id % 2 == 0) {
          blocks[block] = result;
        } else {
          receipts[block] = result;
        }
      }
    }
    return bytes;
  }

  private void handle(HttpExchange exchange) throws IOException {
    long arrived = System.nanoTime();
    try (exchange) {
      byte[] request;
      try (InputStream in = exchange.getRequestBody()) {
        request = in.readAllBytes();
      }
      JsonNode tree = MAPPER.readTree(request);
      if (!tree.isArray() && "bench_stats".equals(tree.path("method").asText())) {
        send(
            exchange,
            ("{\"jsonrpc\":\"2.0\",\"id\":"
                    + tree.path("id").asLong()
                    + ",\"result\":{\"requests\":"
                    + requests.get()
                    + ",\"calls\":"
                    + calls.get()
                    + "}}")
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
      requests.incrementAndGet();
      calls.addAndGet(tree.isArray() ? tree.size() : 1);
      byte[] answer = prerendered(tree);
      if (answer == null) {
        answer = forward(request);
      }
      long wait = arrived + latencyNanos - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      send(exchange, answer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The answer from memory, or null when a call is not one the node pre-rendered. */
  private byte[] prerendered(JsonNode tree) {
    if (!tree.isArray()) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 * 1024);
    out.write('[');
    for (JsonNode call : tree) {
      String method = call.path("method").asText();
      JsonNode params = call.path("params");
      byte[][] table =
          switch (method) {
            case "eth_getBlockByNumber" -> params.path(1).asBoolean(false) ? blocks : null;
            case "eth_getBlockReceipts" -> receipts;
            default -> null;
          };
      String number = params.path(0).asText();
      if (table == null || !number.startsWith("0x")) {
        return null;
      }
      long n = Long.parseLong(number.substring(2), 16);
      if (n < 0 || n > head) {
        return null;
      }
      if (out.size() > 1) {
        out.write(',');
      }
      out.writeBytes(
          ("{\"jsonrpc\":\"2.0\",\"id\":" + call.path("id").asLong() + ",\"result\":")
              .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(table[(int) n]);
      out.write('}');
    }
    out.write(']');
    return out.toByteArray();
  }

  private byte[] forward(byte[] request) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create(inner))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray())
        .body();
  }

  private static void send(HttpExchange exchange, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** For the benchmark: the node's counters, by {@code bench_stats}. */
  static long[] stats(HttpClient client, String url) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"bench_stats\",\"params\":[]}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    JsonNode result = MAPPER.readTree(response.body()).path("result");
    return new long[] {result.path("requests").asLong(), result.path("calls").asLong()};
  }
}
