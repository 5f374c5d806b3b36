package io.ampd.bench;

import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import java.util.concurrent.CountDownLatch;

/**
 * The extraction benchmark's JSON-RPC node in a JVM of its own: {@code EvmNodeMain <seed> <head>
 * <threads>} serves {@code new SyntheticChain(seed)} up to block {@code head} with a {@link
 * FakeEvmNode} of {@code threads} threads, prints {@value #READY}{@code <url>} on stdout once it
 * accepts requests, and runs until it is killed (the benchmark that started it does, by pid).
 */
public final class EvmNodeMain {
  static final String READY = "fake-evm-node ready at ";

  private EvmNodeMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: EvmNodeMain <seed> <head> <threads>");
      System.exit(2);
    }
    SyntheticChain chain = new SyntheticChain(Long.parseLong(args[0]));
    FakeEvmNode node = FakeEvmNode.start(chain, Long.parseLong(args[1]), Integer.parseInt(args[2]));
    System.out.println(READY + node.url());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
