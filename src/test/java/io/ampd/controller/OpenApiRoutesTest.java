package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.controller.TestApi.Answer;
import io.ampd.controller.http.Router;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.ProviderParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The OpenAPI document describes every route of the admin API, and is served. */
class OpenApiRoutesTest {
  /** Every route of the admin API, as route patterns. */
  private static final List<String> ADMIN_API =
      List.of(
          "GET /healthz",
          "GET /openapi.json",
          "GET /providers",
          "POST /providers",
          "GET /providers/{name}",
          "DELETE /providers/{name}",
          "GET /datasets",
          "POST /datasets",
          "GET /datasets/{namespace}/{name}",
          "GET /datasets/{namespace}/{name}/versions",
          "GET /datasets/{namespace}/{name}/versions/{version}",
          "GET /datasets/{namespace}/{name}/versions/{version}/manifest",
          "GET /datasets/{namespace}/{name}/versions/{version}/jobs",
          "POST /datasets/{namespace}/{name}/versions/{version}/deploy",
          "POST /datasets/{namespace}/{name}/versions/{version}/redump",
          "GET /datasets/{namespace}/{name}/versions/{revision}/progress",
          "GET /datasets/{namespace}/{name}/versions/{revision}/tables/{table}/progress",
          "GET /jobs",
          "DELETE /jobs",
          "GET /jobs/{id}",
          "DELETE /jobs/{id}",
          "PUT /jobs/{id}/stop",
          "PUT /jobs/{id}/resume",
          "POST /jobs/{id}/resume",
          "GET /jobs/{id}/events",
          "GET /jobs/{id}/progress",
          "GET /workers",
          "GET /workers/{node_id}",
          "GET /revisions",
          "GET /revisions/{id}",
          "DELETE /revisions/{id}",
          "DELETE /revisions/{id}/truncate",
          "POST /revisions/{id}/activate",
          "POST /revisions/deactivate");

  @Test
  void describesExactlyTheAdminApi() {
    assertEquals(
        ADMIN_API.stream().sorted().toList(),
        OpenApiRoutes.operations().stream().sorted().toList());
  }

  @Test
  void describesEveryRouteOfTheRegistryGroups() {
    DataSource unused = new PGSimpleDataSource(); // registering routes opens no connection
    Router router =
        new Router()
            .add(new ProvidersRoutes(unused))
            .add(new DatasetsRoutes(unused))
            .add(new RevisionsRoutes(unused, java.nio.file.Path.of("data")))
            .add(new OpenApiRoutes());
    assertEquals(List.of(), OpenApiRoutes.undocumented(router));
    Router extra = new Router().get("/undocumented/{x}", r -> null);
    assertEquals(List.of("GET /undocumented/{x}"), OpenApiRoutes.undocumented(extra));
  }

  @Test
  void everyOperationAnswersWithSchemasAndErrorBodies() {
    JsonNode doc = OpenApiRoutes.document();
    assertEquals("3.0.3", doc.get("openapi").asText());
    JsonNode paths = doc.get("paths");
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (op.getKey().equals("parameters")) {
          continue;
        }
        String name = op.getKey() + " " + path.getKey();
        if (!op.getValue().hasNonNull("operationId")) {
          problems.add(name + ": no operationId");
        }
        JsonNode responses = op.getValue().path("responses");
        for (Iterator<Map.Entry<String, JsonNode>> rs = responses.fields(); rs.hasNext(); ) {
          Map.Entry<String, JsonNode> r = rs.next();
          int status = Integer.parseInt(r.getKey());
          JsonNode schema = r.getValue().path("content").path("application/json").path("schema");
          if (status >= 400
              && !path.getKey().equals("/healthz")
              && !schema.path("$ref").asText().equals("#/components/schemas/Error")) {
            problems.add(name + " " + status + ": not an Error body");
          }
          if (status < 300 && status != 204 && schema.isMissingNode()) {
            problems.add(name + " " + status + ": no schema");
          }
          if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText().replace("#/components/schemas/", "");
            if (!doc.path("components").path("schemas").has(ref)) {
              problems.add(name + " " + status + ": unknown schema " + ref);
            }
          }
        }
        if (path.getKey().contains("{") && !responses.has("404")) {
          problems.add(name + ": no 404");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void providerSchemasHoldEveryFieldTheParserReadsAndWrites() throws Exception {
    JsonNode schemas = OpenApiRoutes.document().path("components").path("schemas");
    List<String> input = new ArrayList<>();
    schemas.path("ProviderInput").path("properties").fieldNames().forEachRemaining(input::add);
    assertEquals(
        ProviderParser.fields().stream().sorted().toList(), input.stream().sorted().toList());
    // an answer: ampd's names, a per-minute rate and a masked token included
    ProviderConfig p =
        ProviderParser.parse(
            new ObjectMapper()
                .readTree(
                    "{\"name\":\"m\",\"kind\":\"evm-rpc\",\"url\":\"http://h\","
                        + "\"network\":\"n\",\"rate_limit_per_minute\":100,"
                        + "\"auth_token\":\"t\"}"));
    JsonNode answer = ProviderParser.toJson(p, true);
    JsonNode provider = schemas.path("Provider").path("properties");
    List<String> required = new ArrayList<>();
    schemas.path("Provider").path("required").forEach(r -> required.add(r.asText()));
    for (Iterator<String> it = answer.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      assertTrue(provider.has(field), "Provider schema lacks " + field);
    }
    for (String field : required) {
      assertTrue(
          answer.has(field) || field.endsWith("_at"), "answer lacks required field " + field);
    }
  }

  @Test
  void servedAtOpenapiJson() throws Exception {
    try (TestApi api = new TestApi(new OpenApiRoutes())) {
      Answer a = api.get("/openapi.json");
      assertEquals(200, a.status());
      assertEquals(OpenApiRoutes.document(), a.json());
      assertTrue(a.json().path("info").path("title").asText().contains("ampd"));
    }
  }
}
