package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.config.HostPort;
import io.ampd.controller.http.Router;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.metadb.SchemaStatus;
import io.ampd.testing.CoordFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /healthz} over HTTP, from a starting process to a ready one, on a real database. */
class HealthRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<String> phase = new AtomicReference<>("starting");
  private final AtomicReference<String> postgres = new AtomicReference<>();
  private final AtomicReference<MetadataDb> metadb = new AtomicReference<>();
  private final List<String> roles = new ArrayList<>(List.of("controller"));
  private CoordFixtures fx;
  private AdminApi api;
  private String base;

  @BeforeEach
  void setUp() {
    fx = CoordFixtures.create("health");
    Router router =
        new Router()
            .add(
                new HealthRoutes(
                    phase::get, postgres::get, metadb::get, () -> roles, () -> "9.9.9", () -> 42));
    api = AdminApi.start(new HostPort("127.0.0.1", 0), router);
    base = "http://127.0.0.1:" + api.address().port();
  }

  @AfterEach
  void tearDown() {
    api.close();
    fx.close();
  }

  private HttpResponse<String> healthz() throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/healthz")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void startingUntilTheDatabaseIsOpenAndTheProcessReady() throws Exception {
    HttpResponse<String> starting = healthz();
    assertEquals(503, starting.statusCode());
    assertEquals(
        "{\"status\":\"starting\",\"version\":\"9.9.9\",\"roles\":[\"controller\"],"
            + "\"metadata_db\":{\"managed\":false,\"state\":\"starting\"},\"uptime_ms\":42}",
        starting.body());

    postgres.set("running");
    metadb.set(fx.db);
    roles.add("worker");
    SchemaStatus schema = Migrations.status(fx.db.dataSource());
    HttpResponse<String> dbOpen = healthz();
    assertEquals(503, dbOpen.statusCode(), dbOpen.body());
    assertEquals("starting", JSON.readTree(dbOpen.body()).get("status").asText());

    phase.set("ready");
    HttpResponse<String> ready = healthz();
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(
        "{\"status\":\"ok\",\"version\":\"9.9.9\",\"roles\":[\"controller\",\"worker\"],"
            + "\"metadata_db\":{\"managed\":true,\"postgres\":\"running\",\"state\":\"ready\","
            + "\"schema_version\":"
            + schema.current()
            + ",\"required_schema_version\":"
            + schema.latest()
            + "},\"uptime_ms\":42}",
        ready.body());
  }

  @Test
  void degradedWhenTheDatabaseFails() throws Exception {
    phase.set("ready");
    metadb.set(fx.db);
    assertEquals(200, healthz().statusCode());
    fx.db.close();
    HttpResponse<String> closed = healthz();
    assertEquals(503, closed.statusCode(), closed.body());
    JsonNode body = JSON.readTree(closed.body());
    assertEquals("degraded", body.get("status").asText());
    assertEquals("unavailable", body.get("metadata_db").get("state").asText());
  }
}
