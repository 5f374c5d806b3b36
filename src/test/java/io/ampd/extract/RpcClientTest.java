package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.ProviderAuth;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.NoStop;
import io.ampd.testing.SyntheticChain;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** How a request that gets no answer is reported: in words, with the URL's password hidden. */
class RpcClientTest {
  private static RpcClient client(String url, Duration timeout) {
    return new RpcClient(
        new ProviderConfig(
            "p",
            DatasetKind.EVM_RPC.kindName(),
            url,
            "n",
            1,
            4,
            timeout,
            new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1))),
        NoStop.NEVER);
  }

  private static RpcClient client(String url, ProviderAuth auth) {
    return client(url, 4, auth);
  }

  private static RpcClient client(String url, int batchSize, ProviderAuth auth) {
    return new RpcClient(
        new ProviderConfig(
                "p",
                DatasetKind.EVM_RPC.kindName(),
                url,
                "n",
                1,
                batchSize,
                Duration.ofSeconds(5),
                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1)))
            .withAuth(auth),
        NoStop.NEVER);
  }

  private static final String TOKEN = "tok-9aa3d95b3bc440fa88ea12eaa4456161";

  @Test
  void theTokenIsSentAsBearerOrInTheNamedHeader() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(3), 10, 1)) {
      client(node.url(), new ProviderAuth(null, TOKEN)).call(HEAD);
      assertEquals(List.of("Bearer " + TOKEN), node.requestHeader("Authorization"));
      client(node.url(), new ProviderAuth("Drpc-Key", TOKEN)).call(HEAD);
      assertEquals(Arrays.asList("Bearer " + TOKEN, null), node.requestHeader("Authorization"));
      assertEquals(Arrays.asList(null, TOKEN), node.requestHeader("Drpc-Key"));
      client(node.url(), ProviderAuth.NONE).call(HEAD);
      assertEquals(Arrays.asList(null, TOKEN, null), node.requestHeader("Drpc-Key"));
    }
  }

  @Test
  void batchSizeZeroSendsEveryCallAlone() throws Exception {
    List<RpcCall> three = List.of(HEAD.get(0), HEAD.get(0), HEAD.get(0));
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(3), 10, 1)) {
      assertEquals(3, client(node.url(), 0, ProviderAuth.NONE).call(three).size());
      assertEquals(List.of(1, 1, 1), node.batchSizes());
      client(node.url(), 4, ProviderAuth.NONE).call(three);
      assertEquals(List.of(1, 1, 1, 3), node.batchSizes());
    }
  }

  @Test
  void aNodeQuotingTheTokenDoesNotBringItIntoLogsOrErrors() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(RpcClient.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(log);
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(3), 10, 1)) {
      node.rpcErrorsQuoting(2, "Authorization");
      RpcClient rpc = client(node.url(), new ProviderAuth(null, TOKEN));
      TransientRpcException e = assertThrows(TransientRpcException.class, () -> rpc.call(HEAD));
      assertEquals(
          "provider p answered eth_blockNumber[] with JSON-RPC error -32001: invalid credentials:"
              + " Bearer *** (gave up after 2 tries)",
          e.getMessage());
      assertEquals(2, node.requests(), "both tries reached the node");
      List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertFalse(lines.isEmpty(), "the retry was logged");
      for (String line : lines) {
        assertFalse(line.contains(TOKEN), line);
      }
      assertTrue(lines.get(0).contains("Bearer ***"), lines.get(0));
    } finally {
      logger.detachAppender(log);
      logger.setLevel(level);
    }
  }

  private static final List<RpcCall> HEAD = List.of(new RpcCall("eth_blockNumber", List.of()));

  @Test
  void aRefusedConnectionIsNamedWithoutThePassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RpcClient rpc = client("http://user:s3cret@127.0.0.1:" + port + "/", Duration.ofSeconds(5));
    TransientRpcException e = assertThrows(TransientRpcException.class, () -> rpc.call(HEAD));
    assertEquals(
        "request to provider p (http://user:***@127.0.0.1:"
            + port
            + "/) failed: cannot connect to 127.0.0.1:"
            + port
            + " (connection refused or host unreachable) (gave up after 2 tries)",
        e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"));
  }

  @Test
  void aNodeThatDoesNotAnswerInTimeIsNamedWithTheTimeout() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.start(new SyntheticChain(3), 10, 1)) {
      node.delayRequests(2, Duration.ofMillis(1_500));
      RpcClient rpc = client(node.url(), Duration.ofMillis(300));
      TransientRpcException e = assertThrows(TransientRpcException.class, () -> rpc.call(HEAD));
      assertEquals(
          "request to provider p ("
              + node.url()
              + ") failed: no complete answer within 300 ms (gave up after 2 tries)",
          e.getMessage());
    }
  }

  @Test
  @Timeout(30)
  void aNodeThatStallsInTheMiddleOfItsAnswerIsGivenUpOnAfterTheTimeout() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread node =
          new Thread(
              () -> {
                // Headers and the start of the body, then nothing: for each of the two tries.
                for (int i = 0; i < 2; i++) {
                  try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[8192]);
                    s.getOutputStream()
                        .write(
                            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 1000\r\n\r\n[{\"id\":0,")
                                .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    Thread.sleep(5_000);
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                }
              });
      node.setDaemon(true);
      node.start();
      String url = "http://127.0.0.1:" + server.getLocalPort() + "/";
      RpcClient rpc = client(url, Duration.ofMillis(300));
      long start = System.nanoTime();
      TransientRpcException e = assertThrows(TransientRpcException.class, () -> rpc.call(HEAD));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(
          "request to provider p ("
              + url
              + ") failed: no complete answer within 300 ms (gave up after 2 tries)",
          e.getMessage());
      assertTrue(millis < 4_000, "gave up after " + millis + " ms, not after 2 x 300 ms");
      node.interrupt();
    }
  }
}
