package io.ampd.extract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.ampd.Json;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC over HTTP to one provider: a list of calls goes out as one batch request, and comes back
 * as their results in call order.
 *
 * <p>Transient failures (connect errors, timeouts, HTTP 429 and 5xx, a body that is not JSON, a
 * JSON-RPC error in any call) are retried up to {@link RetryPolicy#maxAttempts()} tries in all,
 * waiting {@code initialBackoff * 2^(try-1)} capped at {@code maxBackoff}, each wait drawn
 * uniformly from its upper half (jitter, so that many workers do not retry in step). Waits end
 * early on a stop request. Other HTTP statuses fail at once as transient: retrying in the same
 * second will not fix a wrong URL or a missing API key, a later job retry may. So does a JSON-RPC
 * error saying the node does not serve the method ({@link RpcErrorException#methodUnavailable}):
 * the caller decides what to do instead. A response that is JSON but of the wrong shape is
 * malformed. Thread-safe: the fetcher shares one client across its request threads.
 */
final class RpcClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);

  private final ProviderConfig provider;
  private final StopSignal stop;
  private final HttpClient http;
  private final URI uri;

  RpcClient(ProviderConfig provider, StopSignal stop) {
    this.provider = provider;
    this.stop = stop;
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
   * Sends {@code calls} as one batch and streams their results into a fresh reader from {@code
   * readers} (one per try); returns what the reader made of them. Retries as described above.
   */
  <T> T call(List<RpcCall> calls, Supplier<? extends BatchReader<T>> readers)
      throws TransientRpcException, StoppedException {
    byte[] body = encode(calls);
    RetryPolicy retry = provider.retry();
    TransientRpcException last = null;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      if (stop.stopRequested()) {
        throw new StoppedException();
      }
      try {
        return send(body, calls, readers.get());
      } catch (TransientRpcException e) {
        if (e instanceof RpcErrorException error && error.methodUnavailable()) {
          throw e; // no try gets a method the node does not serve
        }
        last = e;
        if (attempt < retry.maxAttempts()) {
          Duration wait = backoff(retry, attempt);
          LOG.debug(
              "provider {}: {} (try {}/{}), retrying in {} ms",
              provider.name(),
              e.getMessage(),
              attempt,
              retry.maxAttempts(),
              wait.toMillis());
          try {
            if (stop.await(wait)) {
              throw new StoppedException();
            }
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new StoppedException();
          }
        }
      } catch (NonRetryable e) {
        throw new TransientRpcException(e.getMessage(), null);
      }
    }
    throw new TransientRpcException(
        last.getMessage() + " (gave up after " + retry.maxAttempts() + " tries)", last.getCause());
  }

  static Duration backoff(RetryPolicy retry, int attempt) {
    long initial = Math.max(1, retry.initialBackoff().toMillis());
    long max = Math.max(initial, retry.maxBackoff().toMillis());
    long upper = attempt >= 31 ? max : Math.min(max, initial << (attempt - 1));
    long lower = upper / 2;
    return Duration.ofMillis(lower + ThreadLocalRandom.current().nextLong(upper - lower + 1));
  }

  private <T> T send(byte[] body, List<RpcCall> calls, BatchReader<T> reader)
      throws TransientRpcException, NonRetryable {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    // The whole answer, body included, gets request_timeout. (The JDK client's own request
    // timeout ends when the headers arrive: a node that then stalls in the body would hold the
    // request for ever.)
    CompletableFuture<HttpResponse<byte[]>> answer =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> response;
    try {
      response = answer.get(provider.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // As HttpClient.send() would: unchecked failures as they are, the rest as I/O failures.
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException unchecked) {
        throw unchecked;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      IOException io = cause instanceof IOException x ? x : new IOException(cause);
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
    if (status == 429 || status >= 500 || status == 408) {
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
    return decode(response.body(), calls, reader);
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
        return message.strip().replace(provider.url(), provider.redactedUrl());
      }
    }
    return e.getClass().getSimpleName();
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
      return read(new JsonScanner(body), body, calls, reader);
    } catch (JsonScanner.SyntaxError e) {
      throw new TransientRpcException(
          "provider "
              + provider.name()
              + " answered with a body that is not JSON: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Walks the batch answer: an array of {@code {id, result | error}} objects in any order. A result
   * is handed to the reader as soon as its id is known, so normally straight from the bytes; a
   * result before its id is skipped and read once the id is known (the scanner goes back to it).
   */
  private <T> T read(JsonScanner s, byte[] body, List<RpcCall> calls, BatchReader<T> reader)
      throws TransientRpcException {
    int first = s.peek();
    if (first == '{') {
      int from = s.position();
      s.skipValue();
      JsonNode root = tree(body, from, s.position());
      if (root.has("error")) {
        throw rpcError(root.get("error"), "batch");
      }
    }
    if (first != '[') {
      throw new MalformedResponseException(
          "provider " + provider.name() + ": a batch request was not answered with an array");
    }
    boolean[] answered = new boolean[calls.size()];
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
          if (value < 0 || value >= calls.size()) {
            throw unknownId(value >= 0 ? Integer.toString(value) : s.describeValue());
          }
          id = value;
        } else if (s.textEquals(ERROR)) {
          if (!s.nullValue()) {
            int from = s.position();
            s.skipValue();
            error = tree(body, from, s.position());
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
      answered[id] = true;
    }
    s.finish();
    for (int i = 0; i < answered.length; i++) {
      if (!answered[i]) {
        throw new MalformedResponseException(
            "provider " + provider.name() + ": no answer to " + describe(calls.get(i)));
      }
    }
    return reader.finish();
  }

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
            + error.path("message").asText(""),
        error.path("code").asInt(0),
        error.path("message").asText(""));
  }

  private static String describe(RpcCall call) {
    return call.method() + call.params();
  }

  byte[] encode(List<RpcCall> calls) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * calls.size());
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartArray();
      for (int i = 0; i < calls.size(); i++) {
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

  /** A failure that retrying now will not fix, reported as a transient job failure. */
  private static final class NonRetryable extends Exception {
    private static final long serialVersionUID = 1L;

    NonRetryable(String message) {
      super(message, null, false, false);
    }
  }
}
