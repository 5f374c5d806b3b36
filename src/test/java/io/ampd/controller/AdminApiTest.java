package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.HostPort;
import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP layer: routing, path parameters, JSON bodies and the error answers. */
class AdminApiTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminApi api;
  private String base;

  @BeforeEach
  void start() {
    Router router =
        new Router()
            .get("/things/{id}", r -> Response.ok(Map.of("id", r.param("id"))))
            .post(
                "/things",
                r -> Response.created(Map.of("name", r.jsonObject().path("name").asText())))
            .delete(
                "/things/{id}",
                r -> {
                  throw ApiException.notFound("no thing " + r.param("id"));
                })
            .get(
                "/boom",
                r -> {
                  throw new IllegalStateException("secret detail");
                });
    api = AdminApi.start(new HostPort("127.0.0.1", 0), router);
    base = "http://127.0.0.1:" + api.address().port();
  }

  @AfterEach
  void stop() {
    api.close();
    api.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).method(method, publisher).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesWithParameters() throws Exception {
    HttpResponse<String> r = send("GET", "/things/a%20b", null);
    assertEquals(200, r.statusCode());
    assertEquals("{\"id\":\"a b\"}", r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(200, send("GET", "/things/x/", null).statusCode());
  }

  @Test
  void jsonBodies() throws Exception {
    HttpResponse<String> r = send("POST", "/things", "{\"name\":\"n\"}");
    assertEquals(201, r.statusCode());
    assertEquals("{\"name\":\"n\"}", r.body());
  }

  @Test
  void errorsAreJsonWithTheRightStatus() throws Exception {
    HttpResponse<String> unknown = send("GET", "/nope", null);
    assertEquals(404, unknown.statusCode());
    assertEquals(
        "{\"error_code\":\"NO_SUCH_ROUTE\",\"error_message\":\"no route GET /nope\"}",
        unknown.body());

    HttpResponse<String> method = send("PUT", "/things/1", "{}");
    assertEquals(405, method.statusCode());
    assertEquals("GET, DELETE", method.headers().firstValue("Allow").orElseThrow());
    assertEquals(
        "{\"error_code\":\"METHOD_NOT_ALLOWED\",\"error_message\":\"method PUT not allowed on"
            + " /things/1; allowed: GET, DELETE\"}",
        method.body());

    HttpResponse<String> badJson = send("POST", "/things", "{not json");
    assertEquals(400, badJson.statusCode());
    assertTrue(
        badJson
            .body()
            .startsWith(
                "{\"error_code\":\"INVALID_BODY\",\"error_message\":\"request body is not valid"
                    + " JSON: line 1, column 2: "),
        badJson.body());

    HttpResponse<String> unclosed = send("POST", "/things", "{\"name\":\n\"n\"");
    assertEquals(400, unclosed.statusCode());
    assertEquals(
        "{\"error_code\":\"INVALID_BODY\",\"error_message\":\"request body is not valid JSON:"
            + " line 2, column 4: unexpected end-of-input: expected close marker for Object\"}",
        unclosed.body());

    HttpResponse<String> trailing = send("POST", "/things", "{\"name\":\"n\"} {\"x\":1}");
    assertEquals(400, trailing.statusCode());
    assertTrue(
        trailing
            .body()
            .startsWith(
                "{\"error_code\":\"INVALID_BODY\",\"error_message\":\"request body is not valid"
                    + " JSON: "),
        trailing.body());

    assertEquals(400, send("POST", "/things", "").statusCode());
    assertEquals(400, send("POST", "/things", "[1]").statusCode());
    HttpResponse<String> notFound = send("DELETE", "/things/7", null);
    assertEquals(404, notFound.statusCode());
    assertEquals(
        "{\"error_code\":\"NOT_FOUND\",\"error_message\":\"no thing 7\"}",
        notFound.body(),
        "a route's error without a code gets its status's");

    HttpResponse<String> tooBig = send("POST", "/things", "x".repeat(AdminApi.MAX_BODY_BYTES + 1));
    assertEquals(413, tooBig.statusCode());
    assertEquals(
        "{\"error_code\":\"PAYLOAD_TOO_LARGE\",\"error_message\":\"request body is larger than "
            + AdminApi.MAX_BODY_BYTES
            + " bytes\"}",
        tooBig.body());

    HttpResponse<String> boom = send("GET", "/boom", null);
    assertEquals(500, boom.statusCode());
    assertEquals(
        "{\"error_code\":\"INTERNAL_ERROR\",\"error_message\":\"internal error:"
            + " IllegalStateException\"}",
        boom.body());
  }
}
