package io.ampd.extract;

import io.ampd.registry.ProviderConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How receipts are fetched from one provider: {@code eth_getBlockReceipts} per block, or {@code
 * eth_getTransactionReceipt} per transaction (Amp's {@code fetch_receipts_per_tx}), both in batch
 * requests. Per transaction when the provider's {@code fetch_receipts_per_tx} says so, or once the
 * node has said it does not serve {@code eth_getBlockReceipts} ({@link RpcErrorException
 * #methodUnavailable}): then for every later batch and job on that provider while this process
 * runs, logged once. Shared by the jobs of a provider (same name and URL), thread-safe.
 */
final class ReceiptSource {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiptSource.class);

  private static final Map<String, ReceiptSource> BY_PROVIDER = new ConcurrentHashMap<>();

  private final String provider;
  private final boolean forced;
  private final AtomicBoolean perTx;

  ReceiptSource(String provider, boolean forced) {
    this.provider = provider;
    this.forced = forced;
    this.perTx = new AtomicBoolean(forced);
  }

  /** The source of {@code provider}, shared with every job that uses it in this process. */
  static ReceiptSource of(ProviderConfig provider) {
    String key = provider.name() + " " + provider.url() + " " + provider.fetchReceiptsPerTx();
    return BY_PROVIDER.computeIfAbsent(
        key, k -> new ReceiptSource(provider.name(), provider.fetchReceiptsPerTx()));
  }

  /** Whether receipts are fetched per transaction. */
  boolean perTransaction() {
    return perTx.get();
  }

  /** Whether the provider's configuration asks for receipts per transaction. */
  boolean forced() {
    return forced;
  }

  /** The node does not serve {@code eth_getBlockReceipts} ({@code why}): per transaction now. */
  void blockReceiptsUnavailable(RpcErrorException why) {
    if (perTx.compareAndSet(false, true)) {
      LOG.warn(
          "provider {} does not serve eth_getBlockReceipts (JSON-RPC error {}: {}); fetching"
              + " receipts with eth_getTransactionReceipt per transaction from now on (set"
              + " fetch_receipts_per_tx = true on the provider to start so)",
          provider,
          why.code(),
          why.rpcMessage());
    }
  }
}
