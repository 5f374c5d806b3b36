package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.HostPort;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** An {@link AdminApi} on a free port serving some route groups, and a client for it. */
final class TestApi implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: status, raw body, and the body parsed (null when empty). */
  record Answer(int status, String body, JsonNode json) {
    /** Amp's {@code error_message}. */
    String error() {
      return json == null ? null : json.path("error_message").asText(null);
    }

    /** Amp's {@code error_code}. */
    String code() {
      return json == null ? null : json.path("error_code").asText(null);
    }
  }

  private final AdminApi api;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  TestApi(Routes... groups) {
    Router router = new Router();
    for (Routes g : groups) {
      router.add(g);
    }
    api = AdminApi.start(new HostPort("127.0.0.1", 0), router);
    base = "http://127.0.0.1:" + api.address().port();
  }

  Answer get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  Answer post(String path, String body) throws IOException, InterruptedException {
    return send("POST", path, body);
  }

  Answer delete(String path) throws IOException, InterruptedException {
    return send("DELETE", path, null);
  }

  /** Sends {@code body} exactly as given (no quote rewriting) with a JSON content type. */
  Answer raw(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
    return new Answer(r.statusCode(), r.body(), json);
  }

  Answer send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.replace('\'', '"'));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path)).method(method, publisher).build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
    return new Answer(r.statusCode(), r.body(), json);
  }

  @Override
  public void close() {
    api.close();
  }
}
