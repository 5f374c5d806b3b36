package io.ampd.registry;

import java.time.Duration;

/**
 * An {@code evm-rpc} provider: an Ethereum-style JSON-RPC endpoint of a network.
 *
 * @param name unique name datasets are deployed with
 * @param kind {@code evm-rpc}
 * @param url the endpoint; may hold credentials, so print {@link #redactedUrl()} only
 * @param network the network it serves (matched against a manifest's {@code network})
 * @param concurrency JSON-RPC requests in flight at once, at least 1
 * @param batchSize calls per JSON-RPC batch request, at least 1
 * @param requestTimeout timeout of one HTTP request
 * @param retry retries of transient errors
 * @param rateLimitPerSec HTTP requests per second at most, all of the provider's requests in the
 *     process together (a batch is one request); 0 for no limit
 * @param maxResponseBytes the largest answer body read; a larger one fails the job
 * @param fetchReceiptsPerTx receipts with {@code eth_getTransactionReceipt} per transaction instead
 *     of {@code eth_getBlockReceipts} per block (Amp's {@code fetch_receipts_per_tx}); without it,
 *     a node that does not serve {@code eth_getBlockReceipts} is switched to per transaction
 *     automatically
 *     <p>JSON form (API and {@code providers} table) and TOML form (files in {@code providers_dir})
 *     are parsed and validated by the registry; see {@code ProviderParser}.
 */
public record ProviderConfig(
    String name,
    String kind,
    String url,
    String network,
    int concurrency,
    int batchSize,
    Duration requestTimeout,
    RetryPolicy retry,
    int rateLimitPerSec,
    long maxResponseBytes,
    boolean fetchReceiptsPerTx) {

  /**
   * A provider without a rate limit, with the default response size limit, fetching receipts per
   * block (the default).
   */
  public ProviderConfig(
      String name,
      String kind,
      String url,
      String network,
      int concurrency,
      int batchSize,
      Duration requestTimeout,
      RetryPolicy retry) {
    this(
        name,
        kind,
        url,
        network,
        concurrency,
        batchSize,
        requestTimeout,
        retry,
        0,
        ProviderParser.DEFAULT_MAX_RESPONSE_BYTES,
        false);
  }

  /**
   * The URL with its credentials (userinfo, key-like query parameters and path segments) masked:
   * safe for logs and API answers. See {@link Urls}.
   */
  public String redactedUrl() {
    return Urls.redact(url);
  }

  @Override
  public String toString() {
    return "ProviderConfig[" + name + ", " + kind + ", " + redactedUrl() + ", " + network + "]";
  }
}
