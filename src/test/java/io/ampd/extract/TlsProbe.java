package io.ampd.extract;

import io.ampd.registry.DatasetKind;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.NoStop;
import java.time.Duration;
import java.util.List;

/**
 * Asks the node at {@code args[0]} for its head through {@link RpcClient} and prints it (exit 0),
 * or prints the error (exit 1): run in a child JVM given its own trust store.
 */
public final class TlsProbe {
  private TlsProbe() {}

  public static void main(String[] args) {
    ProviderConfig provider =
        new ProviderConfig(
            "tls",
            DatasetKind.EVM_RPC.kindName(),
            args[0],
            "n",
            1,
            1,
            Duration.ofSeconds(10),
            new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1)));
    try {
      RpcClient rpc = new RpcClient(provider, NoStop.NEVER);
      System.out.println(rpc.call(List.of(new RpcCall("eth_blockNumber", List.of()))).get(0));
      System.exit(0);
    } catch (TransientRpcException | StoppedException e) {
      System.out.println(e.getMessage());
      System.exit(1);
    }
  }
}
