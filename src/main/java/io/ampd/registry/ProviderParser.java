package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

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
 *  "batch_size": 50,               calls per batch request (about), 0 to 1000; 0: no batching
 *  "request_timeout_ms": 30000,    one HTTP request, 100 to 600000
 *  "rate_limit_per_sec": null,     HTTP requests per second at most, 1 to 100000; null: no limit
 *  "max_response_bytes": 268435456,   largest answer read, 1024 to 2000000000
 *  "retry": {"max_attempts": 5,    tries in all, 1 to 100
 *            "initial_backoff_ms": 250,   1 to 600000
 *            "max_backoff_ms": 10000},    initial_backoff_ms to 600000
 *  "fetch_receipts_per_tx": false, receipts by eth_getTransactionReceipt per transaction instead
 *                                  of eth_getBlockReceipts per block (Amp's name); a node without
 *                                  eth_getBlockReceipts is switched to it automatically
 *  "auth_header": null,            header name the token is sent in; null: Authorization: Bearer
 *  "auth_token": null}             sent on every request; a secret, masked as *** in answers
 * </pre>
 *
 * Amp's names (edgeandnode/amp, {@code crates/core/providers-evm-rpc/src/config.rs}) are read too:
 * {@code concurrent_request_limit} (concurrency), {@code rpc_batch_size} (batch_size, whose 0 is
 * Amp's "no batching": every call its own HTTP request), {@code timeout_secs} (request_timeout_ms,
 * in seconds) and {@code rate_limit_per_minute} (kept per minute unless a multiple of 60, so never
 * rounded); giving both names of one setting is an error. {@link #toJson} writes ampd's names, and
 * {@code rate_limit_per_minute} only for a rate that is not a whole number per second.
 *
 * <p>Unknown fields are errors. A URL or token still holding a {@code ***} mask (a redacted value
 * copied back from an API answer) is refused, so a credential is never silently replaced by the
 * mask. The token is never quoted in a message.
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
          "fetch_receipts_per_tx",
          "auth_header",
          "auth_token",
          "concurrent_request_limit",
          "rpc_batch_size",
          "timeout_secs",
          "rate_limit_per_minute");

  /** An HTTP header name (RFC 9110 token). */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Header names HTTP or ampd itself sets; the JDK's client refuses most of them. */
  private static final List<String> RESERVED_HEADERS =
      List.of(
          "connection",
          "content-length",
          "content-type",
          "expect",
          "host",
          "keep-alive",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

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
    int concurrency =
        (int)
            (oneOf(r, "concurrency", "concurrent_request_limit")
                ? r.integer("concurrency", DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY)
                : r.integer("concurrent_request_limit", DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY));
    int batchSize =
        (int)
            (oneOf(r, "batch_size", "rpc_batch_size")
                ? r.integer("batch_size", DEFAULT_BATCH_SIZE, 0, MAX_BATCH_SIZE)
                : r.integer("rpc_batch_size", DEFAULT_BATCH_SIZE, 0, MAX_BATCH_SIZE));
    long timeout =
        oneOf(r, "request_timeout_ms", "timeout_secs")
            ? r.integer(
                "request_timeout_ms",
                DEFAULT_REQUEST_TIMEOUT_MS,
                MIN_REQUEST_TIMEOUT_MS,
                MAX_REQUEST_TIMEOUT_MS)
            : 1000
                * r.integer(
                    "timeout_secs",
                    DEFAULT_REQUEST_TIMEOUT_MS / 1000,
                    1,
                    MAX_REQUEST_TIMEOUT_MS / 1000);
    int rateLimit = 0;
    int perMinute = 0;
    if (oneOf(r, "rate_limit_per_sec", "rate_limit_per_minute")) {
      rateLimit = (int) r.integer("rate_limit_per_sec", 0, 1, MAX_RATE_LIMIT_PER_SEC);
    } else {
      perMinute = (int) r.requiredInteger("rate_limit_per_minute", 1, 60L * MAX_RATE_LIMIT_PER_SEC);
      if (perMinute % 60 == 0) {
        rateLimit = perMinute / 60;
        perMinute = 0;
      }
    }
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
        perMinute,
        auth(r),
        perTx);
  }

  /**
   * True unless only Amp's name {@code amp} of a setting is given; both names are an error naming
   * them.
   */
  private static boolean oneOf(DocumentReader r, String ampd, String amp) {
    if (r.node(amp) == null) {
      return true;
    }
    if (r.node(ampd) != null) {
      throw r.invalid(
          amp,
          "and field '" + r.path(ampd) + "' are one setting (Amp's name and ampd's); give one");
    }
    return false;
  }

  private static ProviderAuth auth(DocumentReader r) {
    JsonNode tokenNode = r.node("auth_token");
    String header = null;
    if (r.node("auth_header") != null) {
      header = r.requiredString("auth_header");
      if (!HEADER_NAME.matcher(header).matches()) {
        throw r.invalid(
            "auth_header",
            "is "
                + DocumentReader.quote(header)
                + ", expected an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)");
      }
      if (RESERVED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
        throw r.invalid(
            "auth_header",
            "is "
                + DocumentReader.quote(header)
                + ", a header HTTP itself sets; expected another name (Authorization is the"
                + " default)");
      }
    }
    if (tokenNode == null) {
      return new ProviderAuth(header, null);
    }
    if (!tokenNode.isTextual()) {
      throw r.invalid("auth_token", "must be a string, got " + DocumentReader.kindOf(tokenNode));
    }
    String token = tokenNode.textValue();
    // The token is never quoted: every message below says what is wrong without it.
    if (token.isEmpty()) {
      throw r.invalid("auth_token", "is empty; give the token, or leave auth_token out");
    }
    if (token.contains(Urls.MASK)) {
      throw r.invalid(
          "auth_token",
          "holds the mask *** of a redacted token (as API answers show it); give the real token");
    }
    if (token.contains("${")) {
      throw r.invalid("auth_token", ENV_VARS);
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x20 && c != '\t' || c >= 0x7f) {
        throw r.invalid(
            "auth_token",
            "holds a character an HTTP header cannot carry (a control character or non-ASCII at"
                + " position "
                + (i + 1)
                + "); the value is not shown");
      }
    }
    return new ProviderAuth(header, token);
  }

  private static final String ENV_VARS =
      "holds ${...}: ampd does not substitute environment variables as Amp does;"
          + " write the value itself";

  private static String url(DocumentReader r) {
    String url = r.requiredString("url");
    String shown = DocumentReader.quote(Urls.redact(url));
    String rule = "expected an http:// or https:// URL with a host";
    if (url.contains("${")) {
      throw r.invalid("url", "is " + shown + ", which " + ENV_VARS);
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw r.invalid("url", "is " + shown + ", " + rule);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("ws") || scheme.equals("wss")) {
      throw r.invalid(
          "url",
          "is "
              + shown
              + ": WebSocket endpoints are not supported, only http:// and https:// (give the"
              + " node's HTTP URL)");
    }
    if (scheme.equals("ipc")
        || scheme.equals("file")
        || scheme.isEmpty() && (url.startsWith("/") || url.endsWith(".ipc"))) {
      throw r.invalid(
          "url",
          "is "
              + shown
              + ": IPC socket paths are not supported, only http:// and https:// (enable the"
              + " node's HTTP endpoint)");
    }
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

  /**
   * The fields a provider document may hold, ampd's and Amp's names (the OpenAPI input schema's).
   */
  public static List<String> fields() {
    return FIELDS;
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
   * comment; with {@code redact} the URL's credentials and the token are masked. Without it, the
   * result holds the credentials: it is for the {@code providers} table only.
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
    if (provider.rateLimitPerMinute() > 0) {
      o.put("rate_limit_per_minute", provider.rateLimitPerMinute());
    }
    ProviderAuth auth = provider.auth();
    o.put("auth_header", auth.header());
    o.put("auth_token", auth.token() == null ? null : redact ? Urls.MASK : auth.token());
    return o;
  }
}
