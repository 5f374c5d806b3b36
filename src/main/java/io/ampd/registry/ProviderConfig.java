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
 * @param batchSize calls per JSON-RPC batch request, about (half blocks, half their receipts); 0
 *     for no batching (Amp's {@code rpc_batch_size = 0}): one block at a time, every call in its
 *     own HTTP request
 * @param requestTimeout timeout of one HTTP request
 * @param retry retries of transient errors
 * @param rateLimitPerSec HTTP requests per second at most, all of the provider's requests in the
 *     process together (a batch is one request); 0 for no limit
 * @param maxResponseBytes the largest answer body read; a larger one fails the job
 * @param rateLimitPerMinute Amp's {@code rate_limit_per_minute} when it is not a whole number per
 *     second (the parser stores a multiple of 60 as {@code rateLimitPerSec}); 0 otherwise
 * @param auth the header sent with every request ({@code auth_token}, {@code auth_header})
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
    int rateLimitPerMinute,
    ProviderAuth auth,
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
        0,
        ProviderAuth.NONE,
        false);
  }

  /** This provider with {@code rate_limit_per_sec} and {@code max_response_bytes} set. */
  public ProviderConfig withLimits(int rateLimitPerSec, long maxResponseBytes) {
    return new ProviderConfig(
        name,
        kind,
        url,
        network,
        concurrency,
        batchSize,
        requestTimeout,
        retry,
        rateLimitPerSec,
        maxResponseBytes,
        rateLimitPerMinute,
        auth,
        fetchReceiptsPerTx);
  }

  /** This provider with Amp's {@code rate_limit_per_minute} instead of a per-second rate. */
  public ProviderConfig withRatePerMinute(int perMinute) {
    return new ProviderConfig(
        name,
        kind,
        url,
        network,
        concurrency,
        batchSize,
        requestTimeout,
        retry,
        0,
        maxResponseBytes,
        perMinute,
        auth,
        fetchReceiptsPerTx);
  }

  /** This provider sending {@code auth} with every request. */
  public ProviderConfig withAuth(ProviderAuth auth) {
    return new ProviderConfig(
        name,
        kind,
        url,
        network,
        concurrency,
        batchSize,
        requestTimeout,
        retry,
        rateLimitPerSec,
        maxResponseBytes,
        rateLimitPerMinute,
        auth,
        fetchReceiptsPerTx);
  }

  /** This provider fetching receipts per transaction ({@code fetch_receipts_per_tx}) or not. */
  public ProviderConfig withFetchReceiptsPerTx(boolean perTx) {
    return new ProviderConfig(
        name,
        kind,
        url,
        network,
        concurrency,
        batchSize,
        requestTimeout,
        retry,
        rateLimitPerSec,
        maxResponseBytes,
        rateLimitPerMinute,
        auth,
        perTx);
  }

  /**
   * The URL with its credentials (userinfo, key-like query parameters and path segments) masked:
   * safe for logs and API answers. See {@link Urls}.
   */
  public String redactedUrl() {
    return Urls.redact(url);
  }

  /** Time between two requests' starts under the rate limit, in nanoseconds; 0 for no limit. */
  public long requestIntervalNanos() {
    if (rateLimitPerSec > 0) {
      return 1_000_000_000L / rateLimitPerSec;
    }
    return rateLimitPerMinute > 0 ? 60_000_000_000L / rateLimitPerMinute : 0;
  }

  /**
   * {@code text} (a node's error message, an exception's) with the URL's credentials and the
   * authentication token masked.
   */
  public String redact(String text) {
    return text == null ? null : auth.redact(text.replace(url, redactedUrl()));
  }

  @Override
  public String toString() {
    return "ProviderConfig[" + name + ", " + kind + ", " + redactedUrl() + ", " + network + "]";
  }
}
