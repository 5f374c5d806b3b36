package io.ampd.extract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.worker.StopSignal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC over HTTP to one provider: a list of calls goes out as one batch request, and comes
 * back as their results in call order.
 *
 * <p>Transient failures (connect errors, timeouts, HTTP 429 and 5xx, a body that is not JSON, a
 * JSON-RPC error in any call) are retried up to {@link RetryPolicy#maxAttempts()} tries in all,
 * waiting {@code initialBackoff * 2^(try-1)} capped at {@code maxBackoff}, each wait drawn
 * uniformly from its upper half (jitter, so that many workers do not retry in step). Waits end
 * early on a stop request. Other HTTP statuses fail at once as transient: retrying in the same
 * second will not fix a wrong URL or a missing API key, a later job retry may. A response that is
 * JSON but of the wrong shape is malformed. Thread-safe: the fetcher shares one client across its
 * request threads.
 */
final class RpcClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);

  private final ProviderConfig provider;
  private final StopSignal stop;
  private final HttpClient http;
  private final URI uri;
  private final ObjectMapper json = new ObjectMapper();

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

  /** The results of {@code calls}, in order; retries transient failures as described above. */
  List<JsonNode> call(List<RpcCall> calls) throws TransientRpcException, StoppedException {
    byte[] body = encode(calls);
    RetryPolicy retry = provider.retry();
    TransientRpcException last = null;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      if (stop.stopRequested()) {
        throw new StoppedException();
      }
      try {
        return send(body, calls);
      } catch (TransientRpcException e) {
        last = e;
        if (attempt < retry.maxAttempts()) {
          Duration wait = backoff(retry, attempt);
          LOG.debug("provider {}: {} (try {}/{}), retrying in {} ms", provider.name(),
              e.getMessage(), attempt, retry.maxAttempts(), wait.toMillis());
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

  private List<JsonNode> send(byte[] body, List<RpcCall> calls)
      throws TransientRpcException, NonRetryable {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(provider.requestTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new TransientRpcException(
          "request to provider " + provider.name() + " (" + provider.redactedUrl() + ") failed: "
              + e,
          e);
    } catch (InterruptedException e) {
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
          "provider " + provider.name() + " (" + provider.redactedUrl() + ") answered HTTP "
              + status);
    }
    JsonNode root;
    try {
      root = json.readTree(response.body());
    } catch (IOException e) {
      throw new TransientRpcException(
          "provider " + provider.name() + " answered with a body that is not JSON", e);
    }
    return results(root, calls);
  }

  private List<JsonNode> results(JsonNode root, List<RpcCall> calls) throws TransientRpcException {
    if (root != null && root.isObject() && root.has("error")) {
      throw rpcError(root.get("error"), "batch");
    }
    if (root == null || !root.isArray()) {
      throw new MalformedResponseException(
          "provider " + provider.name() + ": a batch request was not answered with an array");
    }
    JsonNode[] results = new JsonNode[calls.size()];
    for (JsonNode item : root) {
      JsonNode id = item.get("id");
      if (id == null || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= results.length) {
        throw new MalformedResponseException(
            "provider " + provider.name() + ": answer with an unknown id: " + id);
      }
      int i = id.asInt();
      JsonNode error = item.get("error");
      if (error != null && !error.isNull()) {
        throw rpcError(error, describe(calls.get(i)));
      }
      if (!item.has("result")) {
        throw new MalformedResponseException(
            "provider " + provider.name() + ": answer to " + describe(calls.get(i))
                + " has neither result nor error");
      }
      results[i] = item.get("result");
    }
    for (int i = 0; i < results.length; i++) {
      if (results[i] == null) {
        throw new MalformedResponseException(
            "provider " + provider.name() + ": no answer to " + describe(calls.get(i)));
      }
    }
    return List.of(results);
  }

  private TransientRpcException rpcError(JsonNode error, String what) {
    return new TransientRpcException(
        "provider " + provider.name() + " answered " + what + " with JSON-RPC error "
            + error.path("code").asText("?") + ": " + error.path("message").asText(""),
        null);
  }

  private static String describe(RpcCall call) {
    return call.method() + call.params();
  }

  private byte[] encode(List<RpcCall> calls) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * calls.size());
    try (JsonGenerator g = json.getFactory().createGenerator(out)) {
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

  /** A failure that retrying now will not fix, reported as a transient job failure. */
  private static final class NonRetryable extends Exception {
    private static final long serialVersionUID = 1L;

    NonRetryable(String message) {
      super(message, null, false, false);
    }
  }
}
