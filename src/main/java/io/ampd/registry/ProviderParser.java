package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/**
 * Reads and writes providers as JSON (the API, the {@code providers} table; TOML files are read
 * into the same tree); errors name the field, value and rule, and never show a credential.
 *
 * <p>The document, with defaults:
 *
 * <pre>
 * {"name": "mainnet",              required; a letter, then letters, digits, _ - . (64 max)
 *  "kind": "evm-rpc",              required; the only kind so far
 *  "url": "https://host/path",     required; http or https with a host; may hold credentials
 *  "network": "mainnet",           required; same shape as name
 *  "concurrency": 8,               JSON-RPC requests in flight, 1 to 256
 *  "batch_size": 50,               calls per JSON-RPC batch request, 1 to 1000
 *  "request_timeout_ms": 30000,    one HTTP request, 100 to 600000
 *  "rate_limit_per_sec": null,     HTTP requests per second at most, 1 to 100000; null: no limit
 *  "max_response_bytes": 268435456,   largest answer read, 1024 to 2000000000
 *  "retry": {"max_attempts": 5,    tries in all, 1 to 100
 *            "initial_backoff_ms": 250,   1 to 600000
 *            "max_backoff_ms": 10000},    initial_backoff_ms to 600000
 *  "fetch_receipts_per_tx": false} receipts by eth_getTransactionReceipt per transaction instead
 *                                  of eth_getBlockReceipts per block (Amp's name); a node without
 *                                  eth_getBlockReceipts is switched to it automatically
 * </pre>
 *
 * Unknown fields are errors. A URL still holding a {@code ***} mask (a redacted URL copied back
 * from an API answer) is refused, so a credential is never silently replaced by the mask.
 */
public final class ProviderParser {
  public static final int DEFAULT_CONCURRENCY = 8;
  public static final int MAX_CONCURRENCY = 256;
  public static final int DEFAULT_BATCH_SIZE = 50;
  public static final int MAX_BATCH_SIZE = 1000;
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  public static final long MIN_REQUEST_TIMEOUT_MS = 100;
  public static final long MAX_REQUEST_TIMEOUT_MS = 600_000;
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final int MAX_MAX_ATTEMPTS = 100;
  public static final long DEFAULT_INITIAL_BACKOFF_MS = 250;
  public static final long DEFAULT_MAX_BACKOFF_MS = 10_000;
  public static final long MAX_BACKOFF_MS = 600_000;
  public static final int MAX_RATE_LIMIT_PER_SEC = 100_000;
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 256L << 20;
  public static final long MIN_MAX_RESPONSE_BYTES = 1024;

  /** Below the JVM's largest array: an answer is read into one. */
  public static final long MAX_MAX_RESPONSE_BYTES = 2_000_000_000L;

  private static final String DOC = "provider";
  private static final String HINT =
      "see .amp.example/providers/mainnet.toml for every provider field and its rule";
  private static final List<String> FIELDS =
      List.of(
          "name",
          "kind",
          "url",
          "network",
          "concurrency",
          "batch_size",
          "request_timeout_ms",
          "rate_limit_per_sec",
          "max_response_bytes",
          "retry",
          "fetch_receipts_per_tx");
  private static final List<String> RETRY_FIELDS =
      List.of("max_attempts", "initial_backoff_ms", "max_backoff_ms");

  private ProviderParser() {}

  /** Validates a provider document; see the class comment for its fields. */
  public static ProviderConfig parse(JsonNode provider) {
    DocumentReader r = DocumentReader.of(DOC, "", provider, FIELDS, HINT);
    String name = r.requiredMatching("name", Names.IDENTIFIER, Names.IDENTIFIER_RULE);
    String kind = r.requiredString("kind");
    if (DatasetKind.byName(kind) != DatasetKind.EVM_RPC) {
      throw r.invalid(
          "kind", "is " + DocumentReader.quote(kind) + ", expected " + DatasetKind.expected());
    }
    String url = url(r);
    String network = r.requiredMatching("network", Names.IDENTIFIER, Names.IDENTIFIER_RULE);
    int concurrency = (int) r.integer("concurrency", DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    int batchSize = (int) r.integer("batch_size", DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE);
    long timeout =
        r.integer(
            "request_timeout_ms",
            DEFAULT_REQUEST_TIMEOUT_MS,
            MIN_REQUEST_TIMEOUT_MS,
            MAX_REQUEST_TIMEOUT_MS);
    JsonNode rate = r.node("rate_limit_per_sec");
    int rateLimit =
        rate == null || rate.isNull()
            ? 0
            : (int) r.requiredInteger("rate_limit_per_sec", 1, MAX_RATE_LIMIT_PER_SEC);
    long maxResponse =
        r.integer(
            "max_response_bytes",
            DEFAULT_MAX_RESPONSE_BYTES,
            MIN_MAX_RESPONSE_BYTES,
            MAX_MAX_RESPONSE_BYTES);
    RetryPolicy retry = retry(r);
    boolean perTx = r.bool("fetch_receipts_per_tx", false);
    return new ProviderConfig(
        name,
        kind,
        url,
        network,
        concurrency,
        batchSize,
        Duration.ofMillis(timeout),
        retry,
        rateLimit,
        maxResponse,
        perTx);
  }

  private static String url(DocumentReader r) {
    String url = r.requiredString("url");
    String shown = DocumentReader.quote(Urls.redact(url));
    String rule = "expected an http:// or https:// URL with a host";
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw r.invalid("url", "is " + shown + ", " + rule);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw r.invalid("url", "is " + shown + ", " + rule);
    }
    if (url.contains(Urls.MASK)) {
      throw r.invalid(
          "url",
          "is "
              + shown
              + ", which holds the mask *** of a redacted credential;"
              + " give the URL with its real credentials");
    }
    return url;
  }

  private static RetryPolicy retry(DocumentReader provider) {
    JsonNode node = provider.node("retry");
    if (node == null) {
      return defaultRetry();
    }
    DocumentReader r = DocumentReader.of(DOC, provider.path("retry"), node, RETRY_FIELDS, HINT);
    int attempts = (int) r.integer("max_attempts", DEFAULT_MAX_ATTEMPTS, 1, MAX_MAX_ATTEMPTS);
    long initial = r.integer("initial_backoff_ms", DEFAULT_INITIAL_BACKOFF_MS, 1, MAX_BACKOFF_MS);
    long max =
        r.integer(
            "max_backoff_ms", Math.max(initial, DEFAULT_MAX_BACKOFF_MS), initial, MAX_BACKOFF_MS);
    return new RetryPolicy(attempts, Duration.ofMillis(initial), Duration.ofMillis(max));
  }

  /** The retry policy of a provider that gives none. */
  public static RetryPolicy defaultRetry() {
    return new RetryPolicy(
        DEFAULT_MAX_ATTEMPTS,
        Duration.ofMillis(DEFAULT_INITIAL_BACKOFF_MS),
        Duration.ofMillis(DEFAULT_MAX_BACKOFF_MS));
  }

  /**
   * JSON of a provider, every field spelled out (defaults included), in the order of the class
   * comment; with {@code redact} the URL's credentials are masked. Without it, the result holds the
   * credentials: it is for the {@code providers} table only.
   */
  public static JsonNode toJson(ProviderConfig provider, boolean redact) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("name", provider.name());
    o.put("kind", provider.kind());
    o.put("url", redact ? Urls.redact(provider.url()) : provider.url());
    o.put("network", provider.network());
    o.put("concurrency", provider.concurrency());
    o.put("batch_size", provider.batchSize());
    o.put("request_timeout_ms", provider.requestTimeout().toMillis());
    if (provider.rateLimitPerSec() > 0) {
      o.put("rate_limit_per_sec", provider.rateLimitPerSec());
    } else {
      o.putNull("rate_limit_per_sec");
    }
    o.put("max_response_bytes", provider.maxResponseBytes());
    ObjectNode retry = o.putObject("retry");
    retry.put("max_attempts", provider.retry().maxAttempts());
    retry.put("initial_backoff_ms", provider.retry().initialBackoff().toMillis());
    retry.put("max_backoff_ms", provider.retry().maxBackoff().toMillis());
    o.put("fetch_receipts_per_tx", provider.fetchReceiptsPerTx());
    return o;
  }
}
