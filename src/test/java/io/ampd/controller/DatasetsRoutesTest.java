package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.controller.TestApi.Answer;
import io.ampd.metadb.MigratedTestDb;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /datasets} over HTTP against a real metadata database. */
class DatasetsRoutesTest {
  private static MigratedTestDb db;
  private static TestApi api;

  @BeforeAll
  static void start() {
    db = MigratedTestDb.create("datasets_api");
    api = new TestApi(new DatasetsRoutes(db.dataSource()));
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private static String registration(String ns, String name, String version, String manifest) {
    return "{'namespace':'"
        + ns
        + "','name':'"
        + name
        + "','version':'"
        + version
        + "','manifest':"
        + manifest
        + "}";
  }

  private static final String MANIFEST =
      "{'kind':'evm-rpc','network':'mainnet','start_block':0,'end_block':1000}";
  private static final String CANONICAL =
      "{\"confirmations\":0,\"end_block\":1000,\"kind\":\"evm-rpc\",\"network\":\"mainnet\","
          + "\"start_block\":0,\"tables\":[\"blocks\",\"transactions\",\"logs\"]}";

  @Test
  void registerReadAndList() throws Exception {
    Answer created = api.post("/datasets", registration("reg", "eth", "1.0.0", MANIFEST));
    assertEquals(201, created.status(), created.body());
    assertEquals("reg", created.json().get("namespace").asText());
    assertEquals("eth", created.json().get("name").asText());
    assertEquals("1.0.0", created.json().get("version").asText());
    assertEquals(CANONICAL, created.json().get("manifest").toString());
    String hash = created.json().get("manifest_hash").asText();
    assertEquals(sha256(CANONICAL), hash);
    assertTrue(created.json().has("created_at"));

    assertEquals("evm-rpc", created.json().get("kind").asText());
    assertEquals(0, created.json().get("start_block").asLong());
    assertFalse(created.json().get("finalized_blocks_only").asBoolean());
    assertEquals("[\"blocks\",\"transactions\",\"logs\"]", created.json().get("tables").toString());

    Answer again = api.post("/datasets", registration("reg", "eth", "1.0.0", MANIFEST));
    assertEquals(201, again.status(), "idempotent, and 201 as Amp");
    assertEquals(created.json(), again.json());

    Answer v2 =
        api.post(
            "/datasets",
            registration(
                "reg", "eth", "2.0.0", "{'kind':'evm-rpc','network':'mainnet','start_block':5}"));
    assertEquals(201, v2.status());

    Answer version = api.get("/datasets/reg/eth/versions/1.0.0");
    assertEquals(200, version.status());
    assertEquals("1.0.0", version.json().get("revision").asText());
    for (String field :
        List.of(
            "namespace",
            "name",
            "version",
            "manifest_hash",
            "kind",
            "start_block",
            "finalized_blocks_only",
            "tables",
            "manifest",
            "created_at")) {
      assertEquals(created.json().get(field), version.json().get(field), field);
    }

    Answer versions = api.get("/datasets/reg/eth");
    assertEquals(200, versions.status());
    assertEquals("reg", versions.json().get("namespace").asText());
    assertEquals(2, versions.json().get("versions").size());
    assertEquals("1.0.0", versions.json().get("versions").get(0).get("version").asText());
    assertEquals(hash, versions.json().get("versions").get(0).get("manifest_hash").asText());
    assertEquals("2.0.0", versions.json().get("versions").get(1).get("version").asText());

    Answer list = api.get("/datasets");
    assertEquals(200, list.status());
    assertTrue(
        list.body()
            .contains(
                "{\"namespace\":\"reg\",\"name\":\"eth\",\"latest_version\":\"2.0.0\","
                    + "\"versions\":[\"1.0.0\",\"2.0.0\"]}"),
        list.body());
  }

  @Test
  void conflictingReRegistration() throws Exception {
    Answer first = api.post("/datasets", registration("conf", "eth", "1", MANIFEST));
    assertEquals(201, first.status());
    String registered = first.json().get("manifest_hash").asText();
    String other = "{'kind':'evm-rpc','network':'mainnet','start_block':1}";
    Answer conflict = api.post("/datasets", registration("conf", "eth", "1", other));
    assertEquals(409, conflict.status());
    String given =
        sha256(
            "{\"confirmations\":0,\"kind\":\"evm-rpc\",\"network\":\"mainnet\",\"start_block\":1,"
                + "\"tables\":[\"blocks\",\"transactions\",\"logs\"]}");
    assertEquals(
        "{\"error_code\":\"DATASET_VERSION_CONFLICT\",\"error_message\":\"dataset conf/eth@1 is"
            + " already registered with manifest "
            + registered
            + ", not "
            + given
            + "\",\"details\":{\"registered_manifest_hash\":\""
            + registered
            + "\",\"given_manifest_hash\":\""
            + given
            + "\"}}",
        conflict.body());
    assertEquals(
        registered, api.get("/datasets/conf/eth/versions/1").json().get("manifest_hash").asText());
  }

  @Test
  void malformedManifestNamesTheField() throws Exception {
    Answer bad =
        api.post(
            "/datasets",
            registration(
                "bad",
                "eth",
                "1",
                "{'kind':'evm-rpc','network':'mainnet','start_block':9,'end_block':3}"));
    assertEquals(400, bad.status());
    assertEquals(
        "{\"error_code\":\"INVALID_MANIFEST\",\"error_message\":\"dataset field"
            + " 'manifest.end_block' is 3, expected start_block (9) or more\","
            + "\"details\":{\"field\":\"manifest.end_block\"}}",
        bad.body());

    Answer table =
        api.post(
            "/datasets",
            registration(
                "bad",
                "eth",
                "1",
                "{'kind':'evm-rpc','network':'mainnet','start_block':0,'tables':['receipts']}"));
    assertEquals(400, table.status());
    assertEquals(
        "dataset field 'manifest.tables' holds \"receipts\", expected one of blocks, transactions,"
            + " logs",
        table.error());

    Answer noManifest = api.post("/datasets", "{'namespace':'bad','name':'eth','version':'1'}");
    assertEquals(400, noManifest.status());
    assertEquals("dataset field 'manifest' is required", noManifest.error());
    assertEquals("INVALID_MANIFEST", noManifest.code());

    Answer badName = api.post("/datasets", registration("bad", "a/b", "1", MANIFEST));
    assertEquals(400, badName.status());
    assertEquals("name", badName.json().get("details").get("field").asText());
    assertEquals("INVALID_PAYLOAD_FORMAT", badName.code());

    Answer noVersion =
        api.post("/datasets", "{'namespace':'bad','name':'eth','manifest':" + MANIFEST + "}");
    assertEquals(400, noVersion.status());
    assertEquals("INVALID_PAYLOAD_FORMAT", noVersion.code());
    assertEquals(
        "dataset field 'version' is required: ampd registers versions only (Amp's registration"
            + " without a version, which only moves 'dev', has no counterpart); give e.g."
            + " \"version\": \"1.0.0\"",
        noVersion.error());

    Answer unknownField =
        api.post(
            "/datasets",
            "{'namespace':'bad','name':'eth','version':'1','manifest':" + MANIFEST + ",'x':1}");
    assertEquals(400, unknownField.status());
    assertEquals(
        "dataset field 'x' is unknown; known fields: namespace, name, version, manifest",
        unknownField.error());
    assertEquals("INVALID_PAYLOAD_FORMAT", unknownField.code());

    assertEquals(404, api.get("/datasets/bad/eth").status(), "nothing was stored");
  }

  @Test
  void badJson() throws Exception {
    Answer notJson = api.post("/datasets", "{\"namespace\": ");
    assertEquals(400, notJson.status());
    assertTrue(notJson.error().startsWith("request body is not valid JSON: "), notJson.body());
    assertEquals("INVALID_PAYLOAD_FORMAT", notJson.code());
    Answer array = api.post("/datasets", "[]");
    assertEquals(400, array.status());
    assertEquals("request body must be a JSON object", array.error());
    assertEquals("INVALID_PAYLOAD_FORMAT", array.code());
  }

  @Test
  void unknownDatasetOrVersion() throws Exception {
    Answer dataset = api.get("/datasets/none/eth");
    assertEquals(404, dataset.status());
    assertEquals(
        "{\"error_code\":\"DATASET_NOT_FOUND\",\"error_message\":\"dataset 'none/eth' not"
            + " found\"}",
        dataset.body());
    assertEquals(dataset.body(), api.get("/datasets/none/eth/versions").body());

    Answer ofUnknown = api.get("/datasets/none/eth/versions/1");
    assertEquals(404, ofUnknown.status());
    assertEquals(
        "{\"error_code\":\"DATASET_NOT_FOUND\",\"error_message\":\"dataset 'none/eth' at"
            + " revision '1' not found\"}",
        ofUnknown.body());

    assertEquals(201, api.post("/datasets", registration("known", "eth", "1", MANIFEST)).status());
    Answer version = api.get("/datasets/known/eth/versions/2");
    assertEquals(404, version.status());
    assertEquals(
        "{\"error_code\":\"DATASET_NOT_FOUND\",\"error_message\":\"dataset 'known/eth' at"
            + " revision '2' not found\"}",
        version.body());
    Answer manifest = api.get("/datasets/known/eth/versions/2/manifest");
    assertEquals(404, manifest.status());
    assertEquals("DATASET_NOT_FOUND", manifest.code());
    Answer jobs = api.get("/datasets/known/eth/versions/2/jobs");
    assertEquals(404, jobs.status());
    assertEquals("DATASET_NOT_FOUND", jobs.code());

    Answer badPath = api.get("/datasets/known/e%20th/versions/1");
    assertEquals(400, badPath.status());
    assertEquals(
        "{\"error_code\":\"INVALID_PATH\",\"error_message\":\"invalid path parameters: name"
            + " 'e th' is not valid\"}",
        badPath.body());
    assertEquals("INVALID_PATH", api.get("/datasets/known/eth/versions/a%20b/manifest").code());
  }

  static String sha256(String text) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void answers503UntilTheDatabaseIsOpen() throws Exception {
    try (TestApi early = new TestApi(new DatasetsRoutes(() -> null))) {
      Answer a = early.get("/datasets");
      assertEquals(503, a.status());
      assertEquals(
          "{\"error_code\":\"METADATA_DB_UNAVAILABLE\",\"error_message\":\"the metadata"
              + " database is not ready yet\"}",
          a.body());
    }
  }
}
