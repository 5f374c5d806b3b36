package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.registry.DatasetKind;
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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
