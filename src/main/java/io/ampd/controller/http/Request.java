package io.ampd.controller.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.core.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as a route sees it: method, path, the path parameters its pattern named, the
 * query parameters and the body.
 */
public record Request(
    String method,
    String path,
    Map<String, String> params,
    Map<String, List<String>> query,
    byte[] body,
    ObjectMapper json) {

  /** A path parameter of the route's pattern, e.g. {@code {name}}. */
  public String param(String name) {
    String value = params.get(name);
    if (value == null) {
      throw new IllegalArgumentException("route has no parameter " + name);
    }
    return value;
  }

  /** The first value of a query parameter. */
  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * The body as a JSON object; 400 {@code INVALID_BODY} when it is empty, not JSON, or not an
   * object.
   */
  public JsonNode jsonObject() {
    return jsonObject(INVALID_BODY);
  }

  /** Amp's code for a request body that cannot be read (its deploy handler's). */
  public static final String INVALID_BODY = "INVALID_BODY";

  /** The body as a JSON object; 400 with {@code code} when it is empty, not JSON or no object. */
  public JsonNode jsonObject(String code) {
    if (body.length == 0) {
      throw ApiException.badRequest(code, "request body is empty; expected a JSON object");
    }
    JsonNode node;
    try {
      node =
          json.readerFor(JsonNode.class)
              .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .readValue(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw ApiException.badRequest(
          code,
          "request body is not valid JSON: "
              + (at != null && at.getLineNr() > 0
                  ? "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": "
                  : "")
              + Json.reason(e, "invalid JSON"));
    } catch (java.io.IOException e) {
      throw ApiException.badRequest(code, "request body cannot be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest(code, "request body must be a JSON object");
    }
    return node;
  }
}
