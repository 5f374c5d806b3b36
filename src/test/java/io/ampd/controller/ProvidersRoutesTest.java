package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.controller.TestApi.Answer;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.MigratedTestDb;
import io.ampd.metadb.ProviderRepository;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /providers} over HTTP against a real metadata database. */
class ProvidersRoutesTest {
  private static final String SECRET = "hunter2";
  private static final String KEY = "9aa3d95b3bc440fa88ea12eaa4456161";

  private static MigratedTestDb db;
  private static TestApi api;

  @BeforeAll
  static void start() {
    db = MigratedTestDb.create("providers_api");
    api = new TestApi(new ProvidersRoutes(db.dataSource()));
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

  private static String provider(String name, String url) {
    return "{'name':'" + name + "','kind':'evm-rpc','url':'" + url + "','network':'mainnet'}";
  }

  private static void assertNoSecret(Answer a) {
    assertFalse(a.body().contains(SECRET), a.body());
    assertFalse(a.body().contains(KEY), a.body());
  }

  @Test
  void createReplaceReadAndList() throws Exception {
    String url = "https://alice:" + SECRET + "@rpc.example.com/v3/" + KEY;
    Answer created = api.post("/providers", provider("crud", url));
    assertEquals(201, created.status(), created.body());
    assertNoSecret(created);
    assertEquals("crud", created.json().get("name").asText());
    assertEquals("https://alice:***@rpc.example.com/v3/***", created.json().get("url").asText());
    assertEquals(8, created.json().get("concurrency").asInt());
    assertEquals(50, created.json().get("batch_size").asInt());
    assertEquals(30000, created.json().get("request_timeout_ms").asInt());
    assertEquals(5, created.json().get("retry").get("max_attempts").asInt());
    assertTrue(created.json().has("created_at") && created.json().has("updated_at"));

    Answer same = api.post("/providers", provider("crud", url));
    assertEquals(201, same.status(), "Amp answers 201 to a create and to a replace");
    assertEquals(created.json(), same.json());

    Answer replaced =
        api.post(
            "/providers",
            "{'name':'crud','kind':'evm-rpc','url':'"
                + url
                + "','network':'mainnet','batch_size':9}");
    assertEquals(201, replaced.status());
    assertEquals(9, replaced.json().get("batch_size").asInt());
    assertTrue(replaced.json().get("rate_limit_per_sec").isNull(), replaced.body());

    Answer limited =
        api.post(
            "/providers",
            "{'name':'crud','kind':'evm-rpc','url':'"
                + url
                + "','network':'mainnet','batch_size':9,'rate_limit_per_sec':20,"
                + "'max_response_bytes':1048576}");
    assertEquals(201, limited.status());
    assertEquals(20, limited.json().get("rate_limit_per_sec").asInt());
    assertEquals(1048576, limited.json().get("max_response_bytes").asLong());
    replaced =
        api.post(
            "/providers",
            "{'name':'crud','kind':'evm-rpc','url':'"
                + url
                + "','network':'mainnet','batch_size':9}");

    Answer one = api.get("/providers/crud");
    assertEquals(200, one.status());
    assertEquals(replaced.json(), one.json());
    assertNoSecret(one);

    Answer list = api.get("/providers");
    assertEquals(200, list.status());
    assertNoSecret(list);
    assertTrue(list.json().get("providers").isArray());
    assertTrue(list.body().contains("\"name\":\"crud\""), list.body());
  }

  @Test
  void ampsFieldsAreTakenAndTheTokenIsNeverShown() throws Exception {
    String token = "tok-" + KEY;
    Answer created =
        api.post(
            "/providers",
            "{'name':'amp','kind':'evm-rpc','url':'https://rpc.example.com/','network':'mainnet',"
                + "'concurrent_request_limit':16,'rpc_batch_size':0,'timeout_secs':12,"
                + "'rate_limit_per_minute':90,'auth_header':'Drpc-Key','auth_token':'"
                + token
                + "'}");
    assertEquals(201, created.status(), created.body());
    assertNoSecret(created);
    // answered under ampd's names
    assertEquals(16, created.json().get("concurrency").asInt());
    assertEquals(0, created.json().get("batch_size").asInt(), "no batching");
    assertEquals(12000, created.json().get("request_timeout_ms").asInt());
    assertTrue(created.json().get("rate_limit_per_sec").isNull(), created.body());
    assertEquals(90, created.json().get("rate_limit_per_minute").asInt());
    assertFalse(created.json().has("concurrent_request_limit"), created.body());
    assertEquals("Drpc-Key", created.json().get("auth_header").asText());
    assertEquals("***", created.json().get("auth_token").asText());

    Answer one = api.get("/providers/amp");
    assertEquals(created.json(), one.json());
    assertNoSecret(one);
    Answer list = api.get("/providers");
    assertNoSecret(list);
    assertTrue(list.body().contains("\"auth_token\":\"***\""), list.body());

    // the answer posted back, masked token and all, is refused; the stored token is kept
    ObjectNode back = (ObjectNode) one.json().deepCopy();
    back.remove(List.of("created_at", "updated_at"));
    Answer refused = api.post("/providers", back.toString().replace('"', '\''));
    assertEquals(400, refused.status(), refused.body());
    assertEquals(
        "provider field 'auth_token' holds the mask *** of a redacted token (as API answers show"
            + " it); give the real token",
        refused.error());
    assertEquals(
        token,
        new ProviderRepository(db.dataSource())
            .findStored("amp")
            .orElseThrow()
            .provider()
            .auth()
            .token());

    Answer both =
        api.post(
            "/providers",
            "{'name':'amp','kind':'evm-rpc','url':'https://rpc.example.com/','network':'mainnet',"
                + "'timeout_secs':12,'request_timeout_ms':12000}");
    assertEquals(400, both.status());
    assertEquals(
        "provider field 'timeout_secs' and field 'request_timeout_ms' are one setting (Amp's name"
            + " and ampd's); give one",
        both.error());
    Answer badHeader =
        api.post(
            "/providers",
            "{'name':'amp','kind':'evm-rpc','url':'https://rpc.example.com/','network':'mainnet',"
                + "'auth_header':'Drpc:Key','auth_token':'"
                + token
                + "'}");
    assertEquals(400, badHeader.status());
    assertNoSecret(badHeader);
    assertEquals("auth_header", badHeader.json().get("details").get("field").asText());
  }

  @Test
  void unknownProvider() throws Exception {
    Answer get = api.get("/providers/nope");
    assertEquals(404, get.status());
    assertEquals(
        "{\"error_code\":\"PROVIDER_NOT_FOUND\",\"error_message\":\"provider 'nope' not found\"}",
        get.body());
    Answer delete = api.delete("/providers/nope");
    assertEquals(404, delete.status());
    assertEquals(get.body(), delete.body());
  }

  @Test
  void badBodies() throws Exception {
    Answer notJson = api.post("/providers", "{name:");
    assertEquals(400, notJson.status());
    assertTrue(notJson.error().startsWith("request body is not valid JSON: "), notJson.body());
    assertEquals("INVALID_REQUEST_BODY", notJson.code());

    Answer empty = api.post("/providers", "");
    assertEquals(400, empty.status());
    assertEquals("request body is empty; expected a JSON object", empty.error());

    Answer invalid =
        api.post(
            "/providers",
            "{'name':'bad','kind':'evm-rpc','url':'http://h','network':'n','concurrency':999}");
    assertEquals(400, invalid.status());
    assertEquals(
        "{\"error_code\":\"INVALID_REQUEST_BODY\",\"error_message\":\"provider field"
            + " 'concurrency' is 999, expected 1 to 256\","
            + "\"details\":{\"field\":\"concurrency\"}}",
        invalid.body());

    Answer badRate =
        api.post(
            "/providers",
            "{'name':'bad','kind':'evm-rpc','url':'http://h','network':'n',"
                + "'rate_limit_per_sec':-1}");
    assertEquals(400, badRate.status());
    assertEquals(
        "provider field 'rate_limit_per_sec' is -1, expected 1 to 100000", badRate.error());
    assertEquals("rate_limit_per_sec", badRate.json().get("details").get("field").asText());

    Answer missing = api.post("/providers", "{'name':'bad','kind':'evm-rpc','network':'n'}");
    assertEquals(400, missing.status());
    assertEquals("provider field 'url' is required", missing.error());
    assertEquals("url", missing.json().get("details").get("field").asText());

    Answer badUrl =
        api.post("/providers", provider("bad", "ftp://bob:" + SECRET + "@host/?token=" + KEY));
    assertEquals(400, badUrl.status());
    assertNoSecret(badUrl);
    assertEquals(
        "provider field 'url' is \"ftp://bob:***@host/?token=***\", expected an http:// or"
            + " https:// URL with a host",
        badUrl.error());

    Answer masked = api.post("/providers", provider("bad", "https://bob:***@host/"));
    assertEquals(400, masked.status());
    assertTrue(masked.error().contains("holds the mask ***"), masked.body());

    assertEquals(404, api.get("/providers/bad").status(), "nothing was stored");
  }

  @Test
  void delete() throws Exception {
    assertEquals(201, api.post("/providers", provider("gone", "http://h")).status());
    Answer deleted = api.delete("/providers/gone");
    assertEquals(204, deleted.status());
    assertNull(deleted.json());
    assertEquals(404, api.get("/providers/gone").status());
  }

  @Test
  void deleteRefusedWhileAJobUsesIt() throws Exception {
    assertEquals(201, api.post("/providers", provider("inuse", "http://h")).status());
    new DatasetRepository(db.dataSource())
        .register(
            new DatasetRegistration(
                new DatasetRef("ns", "inuse", "1"),
                new EvmRpcManifest("mainnet", 0, OptionalLong.empty(), 0, List.of(EvmTable.LOGS))));
    db.execute(
        "INSERT INTO jobs (idempotency_key, dataset_namespace, dataset_name, dataset_version,"
            + " descriptor, status) VALUES ('inuse-1', 'ns', 'inuse', '1',"
            + " '{\"provider\":\"inuse\"}', 'SCHEDULED')");
    String id = db.queryText("SELECT id FROM jobs WHERE idempotency_key = 'inuse-1'");

    Answer refused = api.delete("/providers/inuse");
    assertEquals(409, refused.status());
    assertEquals(
        "{\"error_code\":\"PROVIDER_IN_USE\",\"error_message\":\"provider 'inuse' is used by"
            + " unfinished job "
            + id
            + "\","
            + "\"details\":{\"jobs\":["
            + id
            + "]}}",
        refused.body());
    assertEquals(200, api.get("/providers/inuse").status());
  }

  @Test
  void answers503UntilTheDatabaseIsOpen() throws Exception {
    try (TestApi early = new TestApi(new ProvidersRoutes(() -> null))) {
      Answer a = early.get("/providers");
      assertEquals(503, a.status());
      assertEquals(
          "{\"error_code\":\"METADATA_DB_UNAVAILABLE\",\"error_message\":\"the metadata"
              + " database is not ready yet\"}",
          a.body());
    }
  }
}
