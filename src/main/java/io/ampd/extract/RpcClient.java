package io.ampd.extract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.ampd.core.Json;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.worker.StopSignal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC over HTTP to one provider: a list of calls goes out as one batch request, and comes back
 * as their results in call order.
 *
 * <p>Transient failures (connect errors, timeouts, HTTP 5xx, a body that is not JSON, a JSON-RPC
 * error in any call) are retried up to {@link RetryPolicy#maxAttempts()} tries in all, waiting
 * {@code initialBackoff * 2^(try-1)} capped at {@code maxBackoff}, each wait drawn uniformly from
 * its upper half (jitter, so that many workers do not retry in step). Waits end early on a stop
 * request. Other HTTP statuses fail at once as transient: retrying in the same second will not fix
 * a wrong URL or a missing API key, a later job retry may. So does a JSON-RPC error saying the node
 * does not serve the method ({@link RpcErrorException#methodUnavailable}): the caller decides what
 * to do instead. A response that is JSON but of the wrong shape is malformed. Thread-safe: the
 * fetcher shares one client across its request threads.
 *
 * <p>What hosted nodes do: every request first waits for its turn at the provider's {@link
 * ProviderThrottle} ({@code rate_limit_per_sec}). HTTP 429 pauses the provider for what {@code
 * Retry-After} says (at most {@link #MAX_RETRY_AFTER}; else the backoff) and uses no try; a call
 * gives up after {@link #MAX_THROTTLED} of such waits. A batch refused as too large (HTTP 413, or a
 * JSON-RPC error saying so) makes the provider's requests half as large from then on and is sent
 * again at once. An answer over {@code max_response_bytes} is not read further ({@link
 * LimitedBody}) and is fatal. A TLS failure (a certificate the JVM's trust store does not trust)
 * fails at once like other statuses, in one line.
 */
final class RpcClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);

  private final ProviderConfig provider;
  private final StopSignal stop;
  private final HttpClient http;
  private final URI uri;
  private final ProviderThrottle throttle;

  /** The longest wait a {@code Retry-After} gets. */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

  /** How long a call waits through HTTP 429 answers before it fails. */
  static final Duration MAX_THROTTLED = Duration.ofMinutes(10);

  RpcClient(ProviderConfig provider, StopSignal stop) {
    this.provider = provider;
    this.stop = stop;
    this.throttle = ProviderThrottle.of(provider);
    this.uri = URI.create(provider.url());
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(provider.requestTimeout())
            .build();
  }

  /** The results of {@code calls} as trees, in order; retries as described above. */
  List<JsonNode> call(List<RpcCall> calls) throws TransientRpcException, StoppedException {
    return call(calls, () -> new TreeReader(calls.size()));
  }

  /**
   * Sends {@code calls} as one batch (or several, see {@link ProviderThrottle#maxCalls()}) and
   * streams their results into a fresh reader from {@code readers} (one per try); returns what the
   * reader made of them. Retries as described above.
   */
  <T> T call(List<RpcCall> calls, Supplier<? extends BatchReader<T>> readers)
      throws TransientRpcException, StoppedException {
    RetryPolicy retry = provider.retry();
    TransientRpcException last = null;
    long throttledMillis = 0;
    int throttles = 0;
    int attempt = 1;
    while (attempt <= retry.maxAttempts()) {
      if (stop.stopRequested()) {
        throw new StoppedException();
      }
      Duration wait;
      try {
        return attempt(calls, readers.get());
      } catch (TooLarge e) {
        if (!throttle.shrink(e.calls, e.why)) {
          throw new TransientRpcException(
              "provider " + provider.name() + " refused a single call as too large (" + e.why + ")",
              null);
        }
        continue; // at once, with smaller batches; not a failed try
      } catch (Throttled e) {
        throttles++;
        wait = backoff(retry, Math.min(throttles, 31));
        if (e.retryAfter != null) {
          // As asked, but never a tight loop: at least the first backoff.
          wait =
              e.retryAfter.compareTo(retry.initialBackoff()) > 0
                  ? e.retryAfter
                  : retry.initialBackoff();
        }
        throttledMillis += wait.toMillis();
        if (throttledMillis > MAX_THROTTLED.toMillis()) {
          throw new TransientRpcException(
              "provider "
                  + provider.name()
                  + " answered HTTP 429 (too many requests) for over "
                  + MAX_THROTTLED.toMinutes()
                  + " minutes; lower its rate_limit_per_sec or concurrency",
              null);
        }
        LOG.debug(
            "provider {}: HTTP 429, holding its requests for {} ms",
            provider.name(),
            wait.toMillis());
        throttle.pause(wait);
        continue; // the throttle holds this and every other request; not a failed try
      } catch (TransientRpcException e) {
        if (e instanceof RpcErrorException error && error.methodUnavailable()) {
          throw e; // no try gets a method the node does not serve
        }
        last = e;
        if (attempt == retry.maxAttempts()) {
          break;
        }
        wait = backoff(retry, attempt);
        LOG.debug(
            "provider {}: {} (try {}/{}), retrying in {} ms",
            provider.name(),
            e.getMessage(),
            attempt,
            retry.maxAttempts(),
            wait.toMillis());
        attempt++;
      } catch (NonRetryable e) {
        throw new TransientRpcException(e.getMessage(), null);
      }
      try {
        if (stop.await(wait)) {
          throw new StoppedException();
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new StoppedException();
      }
    }
    throw new TransientRpcException(
        last.getMessage() + " (gave up after " + retry.maxAttempts() + " tries)", last.getCause());
  }

  /**
   * One try: the calls in requests of at most {@link ProviderThrottle#maxCalls()} calls, each
   * waiting for its turn, all read into {@code reader}.
   */
  private <T> T attempt(List<RpcCall> calls, BatchReader<T> reader)
      throws TransientRpcException, NonRetryable, StoppedException, Throttled, TooLarge {
    // batch_size 0 (Amp's rpc_batch_size 0, "no batching"): every call in its own request
    int size = provider.batchSize() == 0 ? 1 : Math.max(1, throttle.maxCalls());
    for (int from = 0; from < calls.size(); from += size) {
      int to = Math.min(calls.size(), from + size);
      throttle.acquire(stop);
      send(encode(calls, from, to), calls, from, to, reader);
    }
    return reader.finish();
  }

  /**
   * What {@code Retry-After} asks for: seconds or an HTTP date, capped at {@link #MAX_RETRY_AFTER};
   * null when absent or not understood.
   */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.strip();
    Duration wait;
    try {
      if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
        wait = value.length() > 9 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(value));
      } else {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        wait = Duration.between(now, at);
      }
    } catch (DateTimeParseException e) {
      return null;
    }
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  static Duration backoff(RetryPolicy retry, int attempt) {
    long initial = Math.max(1, retry.initialBackoff().toMillis());
    long max = Math.max(initial, retry.maxBackoff().toMillis());
    long upper = attempt >= 31 ? max : Math.min(max, initial << (attempt - 1));
    long lower = upper / 2;
    return Duration.ofMillis(lower + ThreadLocalRandom.current().nextLong(upper - lower + 1));
  }

  private <T> void send(byte[] body, List<RpcCall> calls, int from, int to, BatchReader<T> reader)
      throws TransientRpcException, NonRetryable, Throttled, TooLarge {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (provider.auth().sends()) {
      builder.header(provider.auth().headerName(), provider.auth().headerValue());
    }
    HttpRequest request = builder.build();
    // The whole answer, body included, gets request_timeout. (The JDK client's own request
    // timeout ends when the headers arrive: a node that then stalls in the body would hold the
    // request for ever.)
    CompletableFuture<HttpResponse<byte[]>> answer =
        http.sendAsync(request, new LimitedBody(provider, to - from));
    HttpResponse<byte[]> response;
    try {
      response = answer.get(provider.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // As HttpClient.send() would: unchecked failures as they are, the rest as I/O failures.
      Throwable cause = e.getCause();
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof ResponseTooLargeException tooLarge) {
          throw tooLarge;
        }
      }
      if (cause instanceof RuntimeException unchecked) {
        throw unchecked;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      IOException io = cause instanceof IOException x ? x : new IOException(cause);
      String tls = tlsFailure(io);
      if (tls != null) {
        throw new NonRetryable(
            "request to provider "
                + provider.name()
                + " ("
                + provider.redactedUrl()
                + ") failed: "
                + tls);
      }
      throw requestFailed(failure(io), io);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw requestFailed(
          "no complete answer within " + provider.requestTimeout().toMillis() + " ms", e);
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new TransientRpcException("request interrupted", e);
    }
    int status = response.statusCode();
    if (status == 429) {
      throw new Throttled(
          retryAfter(response.headers().firstValue("Retry-After").orElse(null), Instant.now()));
    }
    if (status == 413) {
      throw new TooLarge(to - from, "HTTP 413");
    }
    if (status >= 500 || status == 408) {
      throw new TransientRpcException(
          "provider " + provider.name() + " answered HTTP " + status, null);
    }
    if (status != 200) {
      throw new NonRetryable(
          "provider "
              + provider.name()
              + " ("
              + provider.redactedUrl()
              + ") answered HTTP "
              + status);
    }
    decode(response.body(), calls, from, to, reader);
  }

  /**
   * What went wrong with a request, in words: the JDK's HTTP client throws a {@code
   * ConnectException} without a message for a refused connection and for an unknown host alike.
   */
  String failure(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "no connection within " + provider.requestTimeout().toMillis() + " ms";
    }
    String where = uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host " + uri.getHost();
      }
    }
    if (e instanceof ConnectException) {
      return "cannot connect to " + where + " (connection refused or host unreachable)";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.isBlank()) {
        // Redacted in case a message quotes the URL, credentials and all.
        return provider.redact(message.strip());
      }
    }
    return e.getClass().getSimpleName();
  }

  /**
   * What went wrong with the TLS handshake, in words, or null when the failure is not one: a
   * certificate the JVM does not trust, a certificate of another host.
   */
  String tlsFailure(IOException e) {
    SSLException tls = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException x) {
        tls = x;
        break;
      }
    }
    if (tls == null) {
      return null;
    }
    String where = uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    for (Throwable t = tls; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return "TLS: the certificate of "
            + where
            + " is not trusted by the JVM's trust store (to trust it, start ampd with"
            + " -Djavax.net.ssl.trustStore=FILE holding it or its CA)";
      }
      if (t instanceof CertificateException && String.valueOf(t.getMessage()).contains("name")) {
        return "TLS: the certificate of " + where + " is not for that host name: " + t.getMessage();
      }
    }
    String message = tls.getMessage() == null ? tls.getClass().getSimpleName() : tls.getMessage();
    return "TLS handshake with " + where + " failed: " + provider.redact(message.strip());
  }

  private TransientRpcException requestFailed(String why, Throwable cause) {
    return new TransientRpcException(
        "request to provider "
            + provider.name()
            + " ("
            + provider.redactedUrl()
            + ") failed: "
            + why,
        cause);
  }

  /** The results of {@code calls} in the answer {@code body}, through {@code reader}. */
  <T> T decode(byte[] body, List<RpcCall> calls, BatchReader<T> reader)
      throws TransientRpcException {
    try {
      decode(body, calls, 0, calls.size(), reader);
    } catch (TooLarge e) {
      throw new TransientRpcException(e.why, null);
    }
    return reader.finish();
  }

  /** The results of {@code calls[from..to)} in the answer {@code body}, through {@code reader}. */
  private <T> void decode(byte[] body, List<RpcCall> calls, int from, int to, BatchReader<T> reader)
      throws TransientRpcException, TooLarge {
    try {
      read(new JsonScanner(body), body, calls, from, to, reader);
    } catch (JsonScanner.SyntaxError e) {
      throw new TransientRpcException(
          "provider "
              + provider.name()
              + " answered with a body that is not JSON: "
              + provider.redact(e.getMessage()),
          e);
    }
  }

  /**
   * Walks the batch answer: an array of {@code {id, result | error}} objects in any order. A result
   * is handed to the reader as soon as its id is known, so normally straight from the bytes; a
   * result before its id is skipped and read once the id is known (the scanner goes back to it).
   */
  private <T> void read(
      JsonScanner s, byte[] body, List<RpcCall> calls, int from, int to, BatchReader<T> reader)
      throws TransientRpcException, TooLarge {
    int first = s.peek();
    if (first == '{') {
      int start = s.position();
      s.skipValue();
      JsonNode root = tree(body, start, s.position());
      if (root.has("error")) {
        tooLarge(root.get("error"), to - from);
        throw rpcError(root.get("error"), "batch");
      }
    }
    if (first != '[') {
      throw new MalformedResponseException(
          "provider " + provider.name() + ": a batch request was not answered with an array");
    }
    boolean[] answered = new boolean[to - from];
    s.startArray();
    while (s.nextElement()) {
      if (s.peek() != '{') {
        throw unknownId(s.describeValue());
      }
      s.startObject();
      int id = -1;
      JsonNode error = null;
      int early = -1;
      boolean hasResult = false;
      while (s.nextField()) {
        if (s.textEquals(ID)) {
          int b = s.peek();
          int value = b >= '0' && b <= '9' ? s.smallInt() : -1;
          if (value < from || value >= to) {
            throw unknownId(value >= 0 ? Integer.toString(value) : s.describeValue());
          }
          id = value;
        } else if (s.textEquals(ERROR)) {
          if (!s.nullValue()) {
            int start = s.position();
            s.skipValue();
            error = tree(body, start, s.position());
          }
        } else if (s.textEquals(RESULT)) {
          hasResult = true;
          if (id >= 0 && error == null) {
            reader.result(id, s);
          } else {
            early = s.peekPosition();
            s.skipValue();
          }
        } else {
          s.skipValue();
        }
      }
      if (id < 0) {
        throw unknownId(null);
      }
      if (error != null) {
        tooLarge(error, to - from);
        throw rpcError(error, describe(calls.get(id)));
      }
      if (!hasResult) {
        throw new MalformedResponseException(
            "provider "
                + provider.name()
                + ": answer to "
                + describe(calls.get(id))
                + " has neither result nor error");
      }
      if (early >= 0) {
        int after = s.position();
        s.reset(early);
        reader.result(id, s);
        s.reset(after);
      }
      answered[id - from] = true;
    }
    s.finish();
    for (int i = 0; i < answered.length; i++) {
      if (!answered[i]) {
        throw new MalformedResponseException(
            "provider " + provider.name() + ": no answer to " + describe(calls.get(from + i)));
      }
    }
  }

  /**
   * A JSON-RPC error saying that the batch is too large (geth's "batch too large" and "response too
   * large", erigon's "batch limit N exceeded", other nodes' "batch size too large", "too many
   * requests in batch"...) refuses a request of {@code calls} calls.
   */
  private void tooLarge(JsonNode error, int calls) throws TooLarge {
    String message = error.path("message").asText("");
    if (calls > 1 && TOO_LARGE.matcher(message).find()) {
      // Redacted in case the node quotes the URL, credentials and all.
      String said = provider.redact(message);
      throw new TooLarge(calls, "JSON-RPC error " + error.path("code").asText("?") + ": " + said);
    }
  }

  private static final Pattern TOO_LARGE =
      Pattern.compile(
          "batch.{0,40}(too large|too big|too long|too many|limit|exceed)"
              + "|(too many|exceed).{0,40}batch"
              + "|(request|response|payload|body|entity) (is )?too large",
          Pattern.CASE_INSENSITIVE);

  private static final byte[] ID = {'i', 'd'};
  private static final byte[] ERROR = {'e', 'r', 'r', 'o', 'r'};
  private static final byte[] RESULT = {'r', 'e', 's', 'u', 'l', 't'};

  /** The JSON value in {@code body[from..to)} as a tree (checked by the scanner already). */
  private JsonNode tree(byte[] body, int from, int to) {
    try {
      return Json.MAPPER.readTree(body, from, to - from);
    } catch (IOException e) {
      throw new JsonScanner.SyntaxError(e.getMessage());
    }
  }

  private MalformedResponseException unknownId(Object id) {
    return new MalformedResponseException(
        "provider " + provider.name() + ": answer with an unknown id: " + id);
  }

  private TransientRpcException rpcError(JsonNode error, String what) {
    return new RpcErrorException(
        "provider "
            + provider.name()
            + " answered "
            + what
            + " with JSON-RPC error "
            + error.path("code").asText("?")
            + ": "
            + provider.redact(error.path("message").asText("")),
        error.path("code").asInt(0),
        provider.redact(error.path("message").asText("")));
  }

  private static String describe(RpcCall call) {
    return call.method() + call.params();
  }

  byte[] encode(List<RpcCall> calls) {
    return encode(calls, 0, calls.size());
  }

  /** {@code calls[from..to)} as a batch request, each with its index in {@code calls} as id. */
  static byte[] encode(List<RpcCall> calls, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * (to - from));
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartArray();
      for (int i = from; i < to; i++) {
        RpcCall call = calls.get(i);
        g.writeStartObject();
        g.writeStringField("jsonrpc", "2.0");
        g.writeNumberField("id", i);
        g.writeStringField("method", call.method());
        g.writeArrayFieldStart("params");
        for (Object p : call.params()) {
          writeParam(g, p);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static void writeParam(JsonGenerator g, Object p) throws IOException {
    if (p instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (p instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(e.getKey().toString());
        writeParam(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      g.writeString(p.toString());
    }
  }

  @Override
  public void close() {
    // java.net.http.HttpClient is AutoCloseable only from Java 21; its threads end with it.
  }

  /**
   * Receives the results of one batch request as the parser reaches them, in any order.
   *
   * @param <T> what the reader makes of the results
   */
  interface BatchReader<T> {
    /**
     * Reads the result of call {@code index}: the scanner is on the value and must be left just
     * after it.
     */
    void result(int index, JsonScanner s) throws TransientRpcException;

    /** Called once every call has its result. */
    T finish() throws TransientRpcException;
  }

  /** Results as trees, for the odd small call. */
  private static final class TreeReader implements BatchReader<List<JsonNode>> {

    private final JsonNode[] results;

    TreeReader(int size) {
      this.results = new JsonNode[size];
    }

    @Override
    public void result(int index, JsonScanner s) {
      if (s.nullValue()) {
        results[index] = NullNode.getInstance();
        return;
      }
      int from = s.position();
      s.skipValue();
      try {
        results[index] = Json.MAPPER.readTree(s.source(), from, s.position() - from);
      } catch (IOException e) {
        throw new JsonScanner.SyntaxError(e.getMessage());
      }
    }

    @Override
    public List<JsonNode> finish() {
      return List.of(results);
    }
  }

  /**
   * HTTP 429: the node asks to wait ({@code retryAfter}, or null when it does not say how long).
   */
  private static final class Throttled extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    Throttled(Duration retryAfter) {
      super(null, null, false, false);
      this.retryAfter = retryAfter;
    }
  }

  /** The node refused a request of {@code calls} calls as too large. */
  private static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;
    private final int calls;
    private final String why;

    TooLarge(int calls, String why) {
      super(why, null, false, false);
      this.calls = calls;
      this.why = why;
    }
  }

  /** A failure that retrying now will not fix, reported as a transient job failure. */
  private static final class NonRetryable extends Exception {
    private static final long serialVersionUID = 1L;

    NonRetryable(String message) {
      super(message, null, false, false);
    }
  }
}
