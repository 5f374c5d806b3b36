package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.ProviderParser;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.NoStop;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import io.ampd.worker.JobContext;
import io.ampd.worker.JobFailedException;
import io.ampd.worker.StopFlag;
import io.ampd.worker.StopSignal;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Providers as they are in the wild: a rate limit, HTTP 429 with {@code Retry-After}, a node that
 * refuses large batches, an answer larger than allowed.
 */
@Timeout(60)
@ExtendWith(TempDirs.class)
class ProviderLimitsTest {
  private static final List<RpcCall> HEAD = List.of(new RpcCall("eth_blockNumber", List.of()));

  /**
   * How much closer two requests sent exactly 1 s apart may arrive at the node: the time between a
   * request's slot and its arrival varies with the machine's load (up to about 170 ms seen on two
   * busy cores). Still far from what a missing or a doubled limit gives: ten requests within a few
   * milliseconds, or 450 ms apart.
   */
  private static final long JITTER_NANOS = 250_000_000;

  private static ProviderConfig provider(
      String url, int attempts, int ratePerSec, long maxResponseBytes) {
    return new ProviderConfig(
            "p",
            DatasetKind.EVM_RPC.kindName(),
            url,
            "n",
            4,
            50,
            Duration.ofSeconds(10),
            new RetryPolicy(attempts, Duration.ofMillis(1), Duration.ofMillis(5)))
        .withLimits(ratePerSec, maxResponseBytes);
  }

  private static ProviderConfig provider(String url, int attempts) {
    return provider(url, attempts, 0, ProviderParser.DEFAULT_MAX_RESPONSE_BYTES);
  }

  private static List<RpcCall> blocks(int count) {
    List<RpcCall> calls = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      calls.add(new RpcCall("eth_getBlockByNumber", List.of(Hex.quantity(n), true)));
    }
    return calls;
  }

  private static void assertBlocks(int count, List<JsonNode> results) {
    assertEquals(count, results.size());
    for (int n = 0; n < count; n++) {
      assertEquals(Hex.quantity(n), results.get(n).path("number").asText(), "block " + n);
    }
  }

  @Test
  void theRateLimitHoldsForEveryRequestOfTheProviderInTheProcess() throws Exception {
    int rate = 10;
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), 10, 8)) {
      ProviderConfig p = provider(node.url(), 1, rate, ProviderParser.DEFAULT_MAX_RESPONSE_BYTES);
      // Two clients (as two jobs would have), two threads each, 8 requests per thread.
      RpcClient a = new RpcClient(p, NoStop.NEVER);
      RpcClient b = new RpcClient(p, NoStop.NEVER);
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        // A first round opens the connections, whose set-up would delay their first requests.
        run(threads, List.of(a, b, a, b), 1);
        run(threads, List.of(a, b, a, b), 8);
      } finally {
        threads.shutdownNow();
      }
      List<Long> all = node.arrivals();
      assertEquals(36, all.size());
      List<Long> arrivals = all.subList(4, all.size());
      // No second holds more than `rate` requests: request i+rate came a second after request i.
      for (int i = 0; i + rate < arrivals.size(); i++) {
        long apart = arrivals.get(i + rate) - arrivals.get(i);
        assertTrue(
            apart >= 1_000_000_000L - JITTER_NANOS,
            "requests " + i + " and " + (i + rate) + " came " + apart / 1_000_000 + " ms apart");
      }
    }
  }

  @Test
  void ampsRatePerMinuteIsKeptNotRoundedToWholeSeconds() throws Exception {
    // 150 a minute: one request each 400 ms (2.5 a second; neither 2 nor 3)
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), 10, 2)) {
      ProviderConfig given = provider(node.url(), 1, 0, ProviderParser.DEFAULT_MAX_RESPONSE_BYTES);
      ProviderConfig p = given.withRatePerMinute(150);
      try (RpcClient client = new RpcClient(p, NoStop.NEVER)) {
        for (int i = 0; i < 7; i++) {
          client.call(HEAD);
        }
      }
      List<Long> arrivals = node.arrivals().subList(1, 7);
      for (int i = 0; i + 1 < arrivals.size(); i++) {
        long apart = arrivals.get(i + 1) - arrivals.get(i);
        assertTrue(
            apart >= 400_000_000L - JITTER_NANOS,
            "requests " + i + " and " + (i + 1) + " came " + apart / 1_000_000 + " ms apart");
      }
      long span = arrivals.get(5) - arrivals.get(0);
      assertTrue(span >= 2_000_000_000L - JITTER_NANOS, span / 1_000_000 + " ms");
    }
  }

  /** Each client in {@code clients} makes {@code calls} calls on a thread of its own. */
  private static void run(ExecutorService threads, List<RpcClient> clients, int calls)
      throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (RpcClient c : clients) {
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < calls; i++) {
                  c.call(HEAD);
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  @Test
  void aStopEndsTheWaitOfTheProvidersRequests() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), 10, 2)) {
      node.throttle(1, "60");
      StopFlag flag = new StopFlag();
      CountDownLatch waiting = new CountDownLatch(1);
      StopSignal stop =
          new StopSignal() {
            @Override
            public boolean stopRequested() {
              return flag.stopRequested();
            }

            @Override
            public boolean await(Duration timeout) throws InterruptedException {
              waiting.countDown();
              return flag.await(timeout);
            }
          };
      RpcClient rpc = new RpcClient(provider(node.url(), 1), stop);
      ExecutorService thread = Executors.newSingleThreadExecutor();
      try {
        Future<?> call = thread.submit(() -> rpc.call(HEAD));
        // Once the node has answered 429, the call waits a minute for its turn, unless stopped.
        assertTrue(waiting.await(20, TimeUnit.SECONDS), "the call never waited on the stop signal");
        flag.set();
        ExecutionException e =
            assertThrows(ExecutionException.class, () -> call.get(20, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof StoppedException, e.getCause().toString());
        assertEquals(1, node.requests());
      } finally {
        thread.shutdownNow();
      }
    }
  }

  @Test
  void http429WaitsAsRetryAfterSaysWithoutUsingATry() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), 10, 2)) {
      node.throttle(2, "1");
      // One try in all: a 429 must not count as a failed try.
      RpcClient rpc = new RpcClient(provider(node.url(), 1), NoStop.NEVER);
      assertEquals("0xa", rpc.call(HEAD).get(0).asText());
      List<Long> arrivals = node.arrivals();
      assertEquals(3, arrivals.size());
      for (int i = 1; i < 3; i++) {
        long apart = arrivals.get(i) - arrivals.get(i - 1);
        assertTrue(apart >= 1_000_000_000L, "request " + i + " came " + apart / 1_000_000 + " ms");
      }
    }
  }

  @Test
  void http429WithoutRetryAfterWaitsTheBackoffWithoutUsingATry() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), 10, 2)) {
      node.throttle(5, null);
      RpcClient rpc = new RpcClient(provider(node.url(), 1), NoStop.NEVER);
      assertEquals("0xa", rpc.call(HEAD).get(0).asText());
      assertEquals(6, node.requests());
    }
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDateAndCapped() {
    Instant now = Instant.parse("2026-12-04T21:00:00Z");
    assertEquals(Duration.ofSeconds(7), RpcClient.retryAfter("7", now));
    assertEquals(Duration.ZERO, RpcClient.retryAfter("0", now));
    assertEquals(Duration.ofSeconds(2), RpcClient.retryAfter("Fri, 04 Dec 2026 21:00:02 GMT", now));
    assertEquals(Duration.ZERO, RpcClient.retryAfter("Fri, 04 Dec 2026 20:59:00 GMT", now));
    assertEquals(RpcClient.MAX_RETRY_AFTER, RpcClient.retryAfter("3600", now));
    assertEquals(RpcClient.MAX_RETRY_AFTER, RpcClient.retryAfter("99999999999999999999", now));
    assertEquals(
        RpcClient.MAX_RETRY_AFTER, RpcClient.retryAfter("Sat, 05 Dec 2026 21:00:00 GMT", now));
    assertNull(RpcClient.retryAfter("soon", now));
    assertNull(RpcClient.retryAfter(null, now));
  }

  @Test
  void aBatchRefusedWithHttp413IsSentInHalvesFromThenOn() throws Exception {
    batchesShrinkWhenRefused(FakeEvmNode.BatchRefusal.HTTP_413, "HTTP 413");
  }

  @Test
  void aBatchRefusedWithAJsonRpcErrorIsSentInHalvesFromThenOn() throws Exception {
    batchesShrinkWhenRefused(
        FakeEvmNode.BatchRefusal.RPC_ERROR, "JSON-RPC error -32600: batch too large");
  }

  private static void batchesShrinkWhenRefused(FakeEvmNode.BatchRefusal how, String why)
      throws Exception {
    ListAppender<ILoggingEvent> log = capture();
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), 100, 2)) {
      node.limitBatch(10, how);
      // One try in all: a refusal as too large is not a failed try.
      ProviderConfig p = provider("http://user:s3cret@" + node.url().substring(7), 1);
      RpcClient rpc = new RpcClient(p, NoStop.NEVER);
      assertBlocks(25, rpc.call(blocks(25)));
      assertEquals(List.of(25, 12, 6, 6, 6, 6, 1), node.batchSizes());
      // Remembered for the provider: another client sends 6 at most at once.
      RpcClient other = new RpcClient(p, NoStop.NEVER);
      assertBlocks(13, other.call(blocks(13)));
      assertEquals(List.of(25, 12, 6, 6, 6, 6, 1, 6, 6, 1), node.batchSizes());
      List<String> warnings = warnings(log);
      assertEquals(
          List.of(
              "provider p refused a batch of 25 calls as too large ("
                  + why
                  + "); sending at most 12 calls per request from now on",
              "provider p refused a batch of 12 calls as too large ("
                  + why
                  + "); sending at most 6 calls per request from now on"),
          warnings);
    } finally {
      release(log);
    }
  }

  @Test
  void aSingleCallRefusedAsTooLargeFailsSayingSo() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(1), 100, 2)) {
      node.limitBatch(0, FakeEvmNode.BatchRefusal.HTTP_413);
      RpcClient rpc = new RpcClient(provider(node.url(), 3), NoStop.NEVER);
      TransientRpcException e =
          assertThrows(TransientRpcException.class, () -> rpc.call(blocks(4)));
      assertEquals("provider p refused a single call as too large (HTTP 413)", e.getMessage());
      assertEquals(List.of(4, 2, 1), node.batchSizes());
    }
  }

  @Test
  void anAnswerOverMaxResponseBytesIsRefusedWhetherItsSizeIsAnnouncedOrNot() throws Exception {
    for (boolean chunked : new boolean[] {false, true}) {
      try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(7), 100, 2)) {
        node.chunked(chunked);
        RpcClient rpc = new RpcClient(provider(node.url(), 3, 0, 16_384), NoStop.NEVER);
        assertBlocks(1, rpc.call(blocks(1)));
        ResponseTooLargeException e =
            assertThrows(ResponseTooLargeException.class, () -> rpc.call(blocks(20)));
        String size = chunked ? "over 16384 bytes" : "\\d+ bytes";
        assertTrue(
            e.getMessage()
                .matches(
                    "provider p answered a request of 20 calls with "
                        + size
                        + ", more than its max_response_bytes = 16384; raise max_response_bytes"
                        + " \\(the answer is held in memory\\) or lower batch_size"),
            e.getMessage());
        // Not retried: the same request gets the same answer.
        assertEquals(2, node.requests(), "chunked " + chunked);
      }
    }
  }

  @Test
  void anEndlessAnswerIsCutAtTheLimitNotReadIntoMemory() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      // A node whose answer never ends: chunks of 64 KiB until the client hangs up.
      Thread node =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  s.getInputStream().read(new byte[8192]);
                  OutputStream out = s.getOutputStream();
                  out.write(
                      ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              + "Transfer-Encoding: chunked\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  byte[] chunk = new byte[64 * 1024];
                  Arrays.fill(chunk, (byte) ' ');
                  byte[] head = "10000\r\n".getBytes(StandardCharsets.US_ASCII);
                  byte[] tail = "\r\n".getBytes(StandardCharsets.US_ASCII);
                  while (true) {
                    out.write(head);
                    out.write(chunk);
                    out.write(tail);
                  }
                } catch (IOException e) {
                  // the client hung up
                }
              });
      node.setDaemon(true);
      node.start();
      String url = "http://127.0.0.1:" + server.getLocalPort() + "/";
      RpcClient rpc = new RpcClient(provider(url, 3, 0, 1 << 20), NoStop.NEVER);
      ResponseTooLargeException e =
          assertThrows(ResponseTooLargeException.class, () -> rpc.call(HEAD));
      assertEquals(
          "provider p answered a request of 1 call with over 1048576 bytes, more than its"
              + " max_response_bytes = 1048576; raise max_response_bytes (the answer is held in"
              + " memory) or lower batch_size",
          e.getMessage());
      node.join(10_000);
      assertFalse(node.isAlive(), "the client still reads the answer");
    }
  }

  @Test
  void anAnswerOverMaxResponseBytesEndsTheJobFatallySayingWhichSetting() throws Exception {
    try (ExtractFixture f = new ExtractFixture(300)) {
      ProviderConfig small = f.provider(50, 2);
      ProviderConfig p = small.withLimits(0, 64 * 1024);
      JobContext ctx = f.context(ExtractFixture.manifest(0, OptionalLong.of(299), 0), p, 100);
      JobFailedException e =
          assertThrows(JobFailedException.class, () -> new EvmRpcJobRunner().run(ctx));
      assertTrue(e.fatal());
      assertTrue(
          e.getMessage()
              .matches(
                  "provider fake answered a request of 50 calls with \\d+ bytes, more than its"
                      + " max_response_bytes = 65536; raise max_response_bytes \\(the answer is"
                      + " held in memory\\) or lower batch_size"),
          e.getMessage());
      try (Connection c = f.db.dataSource().getConnection();
          Statement st = c.createStatement();
          ResultSet r = st.executeQuery("SELECT count(*) FROM files")) {
        r.next();
        assertEquals(0, r.getLong(1), "files recorded");
      }
    }
  }

  private static Logger throttleLogger() {
    return (Logger) LoggerFactory.getLogger(ProviderThrottle.class);
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    throttleLogger().addAppender(log);
    return log;
  }

  private static void release(ListAppender<ILoggingEvent> log) {
    throttleLogger().detachAppender(log);
  }

  private static List<String> warnings(ListAppender<ILoggingEvent> log) {
    synchronized (log.list) {
      List<String> lines = new ArrayList<>();
      for (ILoggingEvent e : log.list) {
        assertFalse(e.getFormattedMessage().contains("s3cret"));
        if (e.getLevel() == Level.WARN) {
          lines.add(e.getFormattedMessage());
        }
      }
      return lines;
    }
  }
}
