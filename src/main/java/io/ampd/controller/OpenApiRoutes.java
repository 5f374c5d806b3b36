package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.0 description of the whole admin API, shipped in the jar
 * as {@value #RESOURCE} and read on the first request (not at start).
 *
 * <p>The document is written by hand; {@link #undocumented} lists the routes of a router it does
 * not describe, so a test can keep the two in step.
 */
public final class OpenApiRoutes implements Routes {
  /** Where the document lives on the class path. */
  public static final String RESOURCE = "/io/ampd/openapi.json";

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  private static final class Document {
    static final JsonNode TREE = read();
  }

  @Override
  public void register(Router router) {
    router.get("/openapi.json", request -> Response.ok(Document.TREE));
  }

  /** The document as a JSON tree. */
  public static JsonNode document() {
    return Document.TREE;
  }

  /** Every {@code METHOD /path} the document describes, in {@link Router#describe} form. */
  public static List<String> operations() {
    List<String> out = new ArrayList<>();
    JsonNode paths = Document.TREE.path("paths");
    for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
      String path = it.next();
      for (Iterator<String> ms = paths.get(path).fieldNames(); ms.hasNext(); ) {
        String method = ms.next();
        if (METHODS.contains(method)) {
          out.add(method.toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    }
    return out;
  }

  /** The routes of {@code router} the document does not describe (parameter names included). */
  public static List<String> undocumented(Router router) {
    List<String> documented = operations();
    List<String> out = new ArrayList<>();
    for (String route : router.describe()) {
      if (!documented.contains(route)) {
        out.add(route);
      }
    }
    return out;
  }

  private static JsonNode read() {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
