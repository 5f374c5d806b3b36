package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.controller.TestApi.Answer;
import io.ampd.testing.CoordFixtures;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Amp's admin API where Amp's clients call it, over HTTP against a real metadata database:
 * registration with Amp's {@code evm-rpc} manifest, revision words, the version and manifest
 * routes, deploy, and the error bodies. Two requests are the exact bytes Amp's TypeScript client
 * sends.
 */
class AmpAdminApiTest {
  private CoordFixtures fx;
  private TestApi api;

  @BeforeEach
  void setUp() {
    fx = CoordFixtures.create("ampapi");
    fx.provider("mainnet", "mainnet");
    var ds = fx.db.dataSource();
    Duration timeout = CoordFixtures.CONTROLLER.workerTimeout();
    api =
        new TestApi(
            new DatasetsRoutes(ds),
            new DeployRoutes(ds, timeout),
            new JobsRoutes(ds, timeout),
            new WorkersRoutes(ds, timeout));
  }

  @AfterEach
  void tearDown() {
    api.close();
    fx.close();
  }

  /** The columns ampd writes in {@code blocks}, as an Amp manifest lists them. */
  private static final String BLOCKS_FIELDS =
      "[{\"name\":\"_block_num\",\"type\":\"Int64\",\"nullable\":false},"
          + "{\"name\":\"block_num\",\"type\":\"Int64\",\"nullable\":false},"
          + "{\"name\":\"timestamp\",\"type\":{\"Timestamp\":[\"Millisecond\",\"+00:00\"]},"
          + "\"nullable\":false},"
          + "{\"name\":\"hash\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false},"
          + "{\"name\":\"parent_hash\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false},"
          + "{\"name\":\"ommers_hash\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false},"
          + "{\"name\":\"miner\",\"type\":{\"FixedSizeBinary\":20},\"nullable\":false},"
          + "{\"name\":\"state_root\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false},"
          + "{\"name\":\"transactions_root\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false},"
          + "{\"name\":\"receipt_root\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false},"
          + "{\"name\":\"logs_bloom\",\"type\":\"Binary\",\"nullable\":false},"
          + "{\"name\":\"difficulty\",\"type\":{\"Decimal128\":[38,0]},\"nullable\":false},"
          + "{\"name\":\"total_difficulty\",\"type\":{\"Decimal128\":[38,0]},\"nullable\":true},"
          + "{\"name\":\"gas_limit\",\"type\":\"Int64\",\"nullable\":false},"
          + "{\"name\":\"gas_used\",\"type\":\"Int64\",\"nullable\":false},"
          + "{\"name\":\"extra_data\",\"type\":\"Binary\",\"nullable\":false},"
          + "{\"name\":\"mix_hash\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false},"
          + "{\"name\":\"nonce\",\"type\":\"UInt64\",\"nullable\":false},"
          + "{\"name\":\"base_fee_per_gas\",\"type\":{\"Decimal128\":[38,0]},\"nullable\":true},"
          + "{\"name\":\"withdrawals_root\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":true},"
          + "{\"name\":\"blob_gas_used\",\"type\":\"Int64\",\"nullable\":true},"
          + "{\"name\":\"excess_blob_gas\",\"type\":\"Int64\",\"nullable\":true},"
          + "{\"name\":\"parent_beacon_root\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":true},"
          + "{\"name\":\"requests_hash\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":true},"
          + "{\"name\":\"size\",\"type\":\"Int64\",\"nullable\":false},"
          + "{\"name\":\"transaction_count\",\"type\":\"Int32\",\"nullable\":false}]";

  private static String ampManifest(String blocksFields) {
    return "{\"kind\":\"evm-rpc\",\"network\":\"mainnet\",\"start_block\":0,"
        + "\"finalized_blocks_only\":false,\"tables\":{\"blocks\":{\"schema\":{\"arrow\":"
        + "{\"fields\":"
        + blocksFields
        + "}},\"network\":\"mainnet\"}}}";
  }

  private static String registration(String version, String manifest) {
    return "{\"namespace\":\"ex\",\"name\":\"eth_blocks\",\"version\":\""
        + version
        + "\",\"manifest\":"
        + manifest
        + "}";
  }

  /**
   * A registration and a deploy byte for byte as Amp's TypeScript client sends them
   * (typescript/amp/src/api/Admin.ts in edgeandnode/amp: {@code registerDataset} encodes {@code
   * RegisterDatasetPayload} {namespace, name, version, manifest} with the manifest as {@code
   * DatasetEvmRpc} of typescript/amp/src/Model.ts: kind, network, start_block,
   * finalized_blocks_only, tables of {schema: {arrow: {fields: [{name, type, nullable}]}},
   * network}; {@code deployDataset} encodes {@code DeployDatasetPayload} {end_block (a string),
   * parallelism}; both as compact JSON with the schema's key order), and the answers that client
   * decodes: 201 for the registration (its success schema is void), 202 {@code {"job_id": N}}, and
   * {@code JobInfo} from {@code GET /jobs/{id}}.
   */
  @Test
  void registrationAndDeployAsAmpsTypeScriptClientSendsThem() throws Exception {
    String register =
        "{\"namespace\":\"ex\",\"name\":\"eth_blocks\",\"version\":\"1.0.0\",\"manifest\":"
            + "{\"kind\":\"evm-rpc\",\"network\":\"mainnet\",\"start_block\":0,"
            + "\"finalized_blocks_only\":false,\"tables\":{\"blocks\":{\"schema\":{\"arrow\":"
            + "{\"fields\":"
            + BLOCKS_FIELDS
            + "}},\"network\":\"mainnet\"}}}}";
    Answer registered = api.raw("POST", "/datasets", register);
    assertEquals(201, registered.status(), registered.body());
    assertEquals("ex", registered.json().get("namespace").asText());
    assertEquals("1.0.0", registered.json().get("version").asText());
    assertEquals("[\"blocks\"]", registered.json().get("tables").toString());
    assertEquals("evm-rpc", registered.json().get("kind").asText());

    Answer deployed =
        api.raw(
            "POST",
            "/datasets/ex/eth_blocks/versions/1.0.0/deploy",
            "{\"end_block\":\"100\",\"parallelism\":1}");
    assertEquals(202, deployed.status(), deployed.body());
    long id = deployed.json().get("job_id").asLong();
    assertTrue(deployed.json().get("job_id").isIntegralNumber());

    Answer job = api.get("/jobs/" + id);
    assertEquals(200, job.status());
    JsonNode info = job.json();
    assertEquals(id, info.get("id").asLong());
    assertTrue(info.get("node_id").isTextual(), "Amp's JobInfo.node_id is a string");
    assertEquals("SCHEDULED", info.get("status").asText());
    assertEquals("100", info.get("descriptor").get("end_block").asText());
    java.time.Instant.parse(info.get("created_at").asText());
    java.time.Instant.parse(info.get("updated_at").asText());

    // The TypeScript client's deploy without options sends an empty object.
    Answer again = api.raw("POST", "/datasets/ex/eth_blocks/versions/1.0.0/deploy", "{}");
    assertEquals(202, again.status());
    assertEquals(id, again.json().get("job_id").asLong(), "the active job's id");

    Answer jobs = api.get("/datasets/ex/eth_blocks/versions/latest/jobs");
    assertEquals(200, jobs.status());
    assertEquals(1, jobs.json().get("jobs").size());
    // GET /jobs/{id} adds the job's progress to the view the lists give
    assertTrue(info.get("progress").isObject(), info.toString());
    ((com.fasterxml.jackson.databind.node.ObjectNode) info).remove("progress");
    assertEquals(info, jobs.json().get("jobs").get(0));
  }

  @Test
  void versionsAndRevisionWords() throws Exception {
    // Registered in this order: 'dev' is the last, 'latest' the highest semantic version.
    List<String> registered = List.of("1.0.0", "1.10.0", "1.2.0", "1.10.0-rc.1");
    for (String v : registered) {
      String manifest =
          "{'kind':'evm-rpc','network':'mainnet','start_block':"
              + registered.indexOf(v) * 10
              + ",'tables':['blocks']}";
      Answer a =
          api.post(
              "/datasets",
              "{'namespace':'ex','name':'eth','version':'" + v + "','manifest':" + manifest + "}");
      assertEquals(201, a.status(), a.body());
    }
    Answer list = api.get("/datasets");
    assertEquals(
        "{\"datasets\":[{\"namespace\":\"ex\",\"name\":\"eth\",\"latest_version\":\"1.10.0\","
            + "\"versions\":[\"1.0.0\",\"1.10.0\",\"1.2.0\",\"1.10.0-rc.1\"]}]}",
        list.body());

    Answer versions = api.get("/datasets/ex/eth/versions");
    assertEquals(200, versions.status());
    assertEquals("ex", versions.json().get("namespace").asText());
    assertEquals(4, versions.json().get("versions").size());
    JsonNode first = versions.json().get("versions").get(0);
    assertEquals(
        List.of("version", "manifest_hash", "created_at", "updated_at"),
        JobsRoutesTest.keys(first));
    assertEquals(
        "{\"latest\":\"1.10.0\",\"dev\":\"1.10.0-rc.1\"}",
        versions.json().get("special_tags").toString());

    Answer latest = api.get("/datasets/ex/eth/versions/latest");
    assertEquals(200, latest.status());
    assertEquals(
        List.of(
            "namespace",
            "name",
            "revision",
            "manifest_hash",
            "kind",
            "start_block",
            "finalized_blocks_only",
            "tables",
            "version",
            "manifest",
            "created_at"),
        JobsRoutesTest.keys(latest.json()));
    assertEquals("latest", latest.json().get("revision").asText());
    assertEquals("1.10.0", latest.json().get("version").asText());
    assertEquals(10, latest.json().get("start_block").asLong());
    assertEquals("[\"blocks\"]", latest.json().get("tables").toString());

    Answer dev = api.get("/datasets/ex/eth/versions/dev");
    assertEquals("1.10.0-rc.1", dev.json().get("version").asText());

    String hash = first.get("manifest_hash").asText();
    Answer byHash = api.get("/datasets/ex/eth/versions/" + hash);
    assertEquals(200, byHash.status());
    assertEquals("1.0.0", byHash.json().get("version").asText());
    assertEquals(hash, byHash.json().get("revision").asText());

    Answer unknownHash = api.get("/datasets/ex/eth/versions/" + "0".repeat(64));
    assertEquals(404, unknownHash.status());
    assertEquals(
        "{\"error_code\":\"DATASET_NOT_FOUND\",\"error_message\":\"dataset 'ex/eth' at revision '"
            + "0".repeat(64)
            + "' not found\"}",
        unknownHash.body());

    // Deploy by revision word: the version it names.
    Answer deployed = api.post("/datasets/ex/eth/versions/latest/deploy", null);
    assertEquals(202, deployed.status(), deployed.body());
    assertEquals("1.10.0", deployed.json().get("job").get("dataset").get("version").asText());
    Answer beforeStart =
        api.post("/datasets/ex/eth/versions/1.10.0-rc.1/deploy", "{'end_block':'3'}");
    assertEquals(400, beforeStart.status());
    assertEquals(
        "{\"error_code\":\"INVALID_BODY\",\"error_message\":\"end_block 3 is before the manifest's"
            + " start_block 30\"}",
        beforeStart.body());
  }

  @Test
  void manifestRouteAnswersAmpsShapeThatRegistersAgain() throws Exception {
    assertEquals(
        201,
        api.raw("POST", "/datasets", registration("1.0.0", ampManifest(BLOCKS_FIELDS))).status());
    Answer manifest = api.get("/datasets/ex/eth_blocks/versions/1.0.0/manifest");
    assertEquals(200, manifest.status(), manifest.body());
    assertEquals(
        "{\"kind\":\"evm-rpc\",\"network\":\"mainnet\",\"start_block\":0,"
            + "\"finalized_blocks_only\":false,\"tables\":{\"blocks\":{\"schema\":{\"arrow\":"
            + "{\"fields\":"
            + BLOCKS_FIELDS
            + "}},\"network\":\"mainnet\"}},\"confirmations\":0}",
        manifest.body());

    // Registered again under another version, the manifest (and its hash) is the same.
    Answer again = api.raw("POST", "/datasets", registration("1.0.1", manifest.body()));
    assertEquals(201, again.status(), again.body());
    String hash = again.json().get("manifest_hash").asText();
    assertEquals(
        hash,
        api.get("/datasets/ex/eth_blocks/versions/1.0.0").json().get("manifest_hash").asText());

    // Amp's registration by manifest hash.
    Answer byHash = api.raw("POST", "/datasets", registration("1.0.2", "\"" + hash + "\""));
    assertEquals(201, byHash.status(), byHash.body());
    assertEquals(hash, byHash.json().get("manifest_hash").asText());
    Answer unknown =
        api.raw("POST", "/datasets", registration("1.0.3", "\"" + "a".repeat(64) + "\""));
    assertEquals(
        "{\"error_code\":\"MANIFEST_NOT_FOUND\",\"error_message\":\"manifest with hash '"
            + "a".repeat(64)
            + "' not found\"}",
        unknown.body());
    assertEquals(404, unknown.status());

    // All three tables, the schemas straight from the document the route gives.
    ObjectNode all = (ObjectNode) manifest.json().deepCopy();
    for (String t : List.of("transactions", "logs")) {
      ObjectNode table = all.with("tables").putObject(t);
      table
          .putObject("schema")
          .putObject("arrow")
          .set(
              "fields",
              AmpManifests.arrowFields(
                  io.ampd.registry.EvmTable.valueOf(t.toUpperCase(java.util.Locale.ROOT))));
      table.put("network", "mainnet");
    }
    Answer three = api.raw("POST", "/datasets", registration("3.0.0", all.toString()));
    assertEquals(201, three.status(), three.body());
    assertEquals("[\"blocks\",\"transactions\",\"logs\"]", three.json().get("tables").toString());
  }

  /**
   * The {@code evm-rpc} tables as Amp declares them (its {@code datasets-raw} crate's {@code
   * evm/tables/blocks.rs} and {@code logs.rs}, {@code providers-evm-rpc}'s {@code
   * tables/transactions.rs}; its generated manifests and {@code docs/schemas/tables/evm-rpc.md}
   * list them the same): {@code name type nullable}, one column a line, types in arrow-rs's serde
   * form. Unsigned integers, timestamps in nanoseconds and {@code value} as text, where ampd writes
   * signed integers, milliseconds and a decimal; none of ampd's own columns.
   */
  private static final String AMP_TABLES =
      """
      blocks
      _block_num "UInt64" false
      block_num "UInt64" false
      timestamp {"Timestamp":["Nanosecond","+00:00"]} false
      hash {"FixedSizeBinary":32} false
      parent_hash {"FixedSizeBinary":32} false
      ommers_hash {"FixedSizeBinary":32} false
      miner {"FixedSizeBinary":20} false
      state_root {"FixedSizeBinary":32} false
      transactions_root {"FixedSizeBinary":32} false
      receipt_root {"FixedSizeBinary":32} false
      logs_bloom "Binary" false
      difficulty {"Decimal128":[38,0]} false
      total_difficulty {"Decimal128":[38,0]} true
      gas_limit "UInt64" false
      gas_used "UInt64" false
      extra_data "Binary" false
      mix_hash {"FixedSizeBinary":32} false
      nonce "UInt64" false
      base_fee_per_gas {"Decimal128":[38,0]} true
      withdrawals_root {"FixedSizeBinary":32} true
      blob_gas_used "UInt64" true
      excess_blob_gas "UInt64" true
      parent_beacon_root {"FixedSizeBinary":32} true
      requests_hash {"FixedSizeBinary":32} true
      transactions
      _block_num "UInt64" false
      block_hash {"FixedSizeBinary":32} false
      block_num "UInt64" false
      timestamp {"Timestamp":["Nanosecond","+00:00"]} false
      tx_index "UInt32" false
      tx_hash {"FixedSizeBinary":32} false
      to {"FixedSizeBinary":20} true
      nonce "UInt64" false
      gas_price {"Decimal128":[38,0]} true
      gas_limit "UInt64" false
      value "Utf8" false
      input "Binary" false
      r {"FixedSizeBinary":32} false
      s {"FixedSizeBinary":32} false
      v_parity "Boolean" false
      chain_id "UInt64" true
      gas_used "UInt64" false
      type "Int32" false
      max_fee_per_gas {"Decimal128":[38,0]} true
      max_priority_fee_per_gas {"Decimal128":[38,0]} true
      max_fee_per_blob_gas {"Decimal128":[38,0]} true
      from {"FixedSizeBinary":20} false
      status "Boolean" false
      state_root {"FixedSizeBinary":32} true
      access_list {"List":{"name":"item","nullable":false,"data_type":{"Struct":[\
      {"name":"address","nullable":false,"data_type":{"FixedSizeBinary":20},"dict_id":0,\
      "dict_is_ordered":false,"metadata":{}},{"name":"storage_keys","nullable":false,\
      "data_type":{"List":{"name":"item","nullable":false,"data_type":{"FixedSizeBinary":32},\
      "dict_id":0,"dict_is_ordered":false,"metadata":{}}},"dict_id":0,"dict_is_ordered":false,\
      "metadata":{}}]},"dict_id":0,"dict_is_ordered":false,"metadata":{}}} true
      blob_versioned_hashes {"List":{"name":"item","nullable":false,\
      "data_type":{"FixedSizeBinary":32},"dict_id":0,"dict_is_ordered":false,"metadata":{}}} true
      authorization_list {"List":{"name":"item","nullable":false,"data_type":{"Struct":[\
      {"name":"chain_id","nullable":false,"data_type":"UInt64","dict_id":0,\
      "dict_is_ordered":false,"metadata":{}},{"name":"address","nullable":false,\
      "data_type":{"FixedSizeBinary":20},"dict_id":0,"dict_is_ordered":false,"metadata":{}},\
      {"name":"nonce","nullable":false,"data_type":"UInt64","dict_id":0,"dict_is_ordered":false,\
      "metadata":{}},{"name":"y_parity","nullable":false,"data_type":"Boolean","dict_id":0,\
      "dict_is_ordered":false,"metadata":{}},{"name":"r","nullable":false,\
      "data_type":{"FixedSizeBinary":32},"dict_id":0,"dict_is_ordered":false,"metadata":{}},\
      {"name":"s","nullable":false,"data_type":{"FixedSizeBinary":32},"dict_id":0,\
      "dict_is_ordered":false,"metadata":{}}]},"dict_id":0,"dict_is_ordered":false,\
      "metadata":{}}} true
      logs
      _block_num "UInt64" false
      block_hash {"FixedSizeBinary":32} false
      block_num "UInt64" false
      timestamp {"Timestamp":["Nanosecond","+00:00"]} false
      tx_hash {"FixedSizeBinary":32} false
      tx_index "UInt32" false
      log_index "UInt32" false
      address {"FixedSizeBinary":20} false
      topic0 {"FixedSizeBinary":32} true
      topic1 {"FixedSizeBinary":32} true
      topic2 {"FixedSizeBinary":32} true
      topic3 {"FixedSizeBinary":32} true
      data "Binary" false
      """;

  /** A manifest as Amp generates it for {@code evm-rpc}, from {@link #AMP_TABLES}. */
  private static ObjectNode ampGeneratedManifest() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = io.ampd.core.Json.MAPPER;
    ObjectNode m = json.createObjectNode();
    m.put("kind", "evm-rpc");
    m.put("network", "mainnet");
    m.put("start_block", 15_000_000);
    m.put("finalized_blocks_only", false);
    ObjectNode tables = m.putObject("tables");
    com.fasterxml.jackson.databind.node.ArrayNode fields = null;
    for (String line : AMP_TABLES.strip().split("\n")) {
      String[] parts = line.strip().split(" ", 2);
      if (parts.length == 1) {
        ObjectNode table = tables.putObject(parts[0]);
        fields = table.putObject("schema").putObject("arrow").putArray("fields");
        table.put("network", "mainnet");
        continue;
      }
      int space = parts[1].lastIndexOf(' ');
      ObjectNode f = fields.addObject();
      f.put("name", parts[0]);
      f.set("type", json.readTree(parts[1].substring(0, space)));
      f.put("nullable", Boolean.parseBoolean(parts[1].substring(space + 1)));
    }
    return m;
  }

  @Test
  void aManifestAsAmpGeneratesItRegisters() throws Exception {
    ObjectNode amp = ampGeneratedManifest();
    assertEquals(27, amp.at("/tables/transactions/schema/arrow/fields").size());
    Answer registered = api.raw("POST", "/datasets", registration("1.0.0", amp.toString()));
    assertEquals(201, registered.status(), registered.body());
    assertEquals(
        "[\"blocks\",\"transactions\",\"logs\"]", registered.json().get("tables").toString());
    // The stored manifest gives ampd's schemas (its own columns too), and registers again.
    Answer manifest = api.get("/datasets/ex/eth_blocks/versions/1.0.0/manifest");
    JsonNode txFields = manifest.json().at("/tables/transactions/schema/arrow/fields");
    assertEquals(33, txFields.size(), txFields.toString());
    assertEquals(
        201, api.raw("POST", "/datasets", registration("1.0.1", manifest.body())).status());

    // Still refused: a list whose element differs.
    ObjectNode broken = amp.deepCopy();
    ((ObjectNode)
            broken.at("/tables/transactions/schema/arrow/fields/26/type/List/data_type/Struct/3"))
        .put("data_type", "Int32");
    Answer refused = api.raw("POST", "/datasets", registration("9.9.9", broken.toString()));
    assertEquals(400, refused.status());
    assertTrue(
        refused.body().contains("'transactions' column 'authorization_list' has type"),
        refused.body());
  }

  private void assertRefused(String manifest, int status, String body) throws Exception {
    Answer a = api.raw("POST", "/datasets", registration("9.9.9", manifest));
    assertEquals(status, a.status(), a.body());
    assertEquals(body, a.body());
  }

  @Test
  void aSchemaThatDiffersFromOursIsRefusedNamingTheColumn() throws Exception {
    String hint =
        "; see .amp.example/manifests/TABLES.md or GET"
            + " /datasets/{namespace}/{name}/versions/{revision}/manifest of a registered version";
    // A type ampd cannot read a column as (Amp's UInt64 is fine: see the test below).
    assertRefused(
        ampManifest(
            BLOCKS_FIELDS.replace(
                "{\"name\":\"block_num\",\"type\":\"Int64\"",
                "{\"name\":\"block_num\",\"type\":\"Utf8\"")),
        400,
        "{\"error_code\":\"MANIFEST_VALIDATION_ERROR\",\"error_message\":\"manifest table"
            + " 'blocks' column 'block_num' has type \\\"Utf8\\\", but ampd writes \\\"Int64\\\""
            + hint
            + "\",\"details\":{\"field\":\"manifest.tables.blocks.schema.arrow.fields[1]\","
            + "\"table\":\"blocks\",\"column\":\"block_num\"}}");
    // A column ampd does not write.
    assertRefused(
        ampManifest(
            BLOCKS_FIELDS.substring(0, BLOCKS_FIELDS.length() - 1)
                + ",{\"name\":\"uncles\",\"type\":{\"FixedSizeBinary\":32},"
                + "\"nullable\":false}]"),
        400,
        "{\"error_code\":\"MANIFEST_VALIDATION_ERROR\",\"error_message\":\"manifest table"
            + " 'blocks' column 'uncles' is not a column ampd writes (its columns: _block_num,"
            + " block_num, timestamp, hash, parent_hash, ommers_hash, miner, state_root,"
            + " transactions_root, receipt_root, logs_bloom, difficulty, total_difficulty,"
            + " gas_limit, gas_used, extra_data, mix_hash, nonce, base_fee_per_gas,"
            + " withdrawals_root, blob_gas_used, excess_blob_gas, parent_beacon_root,"
            + " requests_hash, size, transaction_count)"
            + hint
            + "\",\"details\":{\"field\":\"manifest.tables.blocks.schema.arrow.fields[26]\","
            + "\"table\":\"blocks\",\"column\":\"uncles\"}}");
    // A column of Amp's that ampd writes, left out (ampd's own columns may be: see below).
    assertRefused(
        ampManifest(
            BLOCKS_FIELDS.replace(
                ",{\"name\":\"mix_hash\",\"type\":{\"FixedSizeBinary\":32},\"nullable\":false}",
                "")),
        400,
        "{\"error_code\":\"MANIFEST_VALIDATION_ERROR\",\"error_message\":\"manifest table"
            + " 'blocks' column 'mix_hash' is missing from the manifest, but ampd writes"
            + " it (type {\\\"FixedSizeBinary\\\":32})"
            + hint
            + "\",\"details\":{\"field\":\"manifest.tables.blocks.schema.arrow.fields\","
            + "\"table\":\"blocks\",\"column\":\"mix_hash\"}}");
    // Nullability.
    assertRefused(
        ampManifest(
            BLOCKS_FIELDS.replace(
                "{\"name\":\"size\",\"type\":\"Int64\",\"nullable\":false}",
                "{\"name\":\"size\",\"type\":\"Int64\",\"nullable\":true}")),
        400,
        "{\"error_code\":\"MANIFEST_VALIDATION_ERROR\",\"error_message\":\"manifest table"
            + " 'blocks' column 'size' is nullable, but ampd writes it never null"
            + hint
            + "\",\"details\":{\"field\":\"manifest.tables.blocks.schema.arrow.fields[24]\","
            + "\"table\":\"blocks\",\"column\":\"size\"}}");
    // A table ampd does not extract.
    assertRefused(
        ampManifest(BLOCKS_FIELDS).replace("\"blocks\":{", "\"receipts\":{"),
        400,
        "{\"error_code\":\"MANIFEST_VALIDATION_ERROR\",\"error_message\":\"manifest table"
            + " 'receipts' is not one ampd extracts; expected some of blocks, transactions,"
            + " logs\",\"details\":{\"field\":\"manifest.tables.receipts\"}}");
    assertRefused(
        ampManifest(BLOCKS_FIELDS)
            .replace("\"finalized_blocks_only\":false", "\"finalized_blocks_only\":true"),
        400,
        "{\"error_code\":\"MANIFEST_VALIDATION_ERROR\",\"error_message\":\"manifest field"
            + " 'finalized_blocks_only' is true, which ampd does not support: it extracts blocks"
            + " once 'confirmations' blocks are on top of them (give confirmations instead)\","
            + "\"details\":{\"field\":\"manifest.finalized_blocks_only\"}}");
    assertRefused(
        ampManifest(BLOCKS_FIELDS).replace("\"network\":\"mainnet\"}}", "\"network\":\"base\"}}"),
        400,
        "{\"error_code\":\"MANIFEST_VALIDATION_ERROR\",\"error_message\":\"manifest table"
            + " 'blocks' has network \\\"base\\\", but the manifest's network is \\\"mainnet\\\"\","
            + "\"details\":{\"field\":\"manifest.tables.blocks.network\"}}");
    assertRefused(
        ampManifest(BLOCKS_FIELDS).replace("\"kind\":\"evm-rpc\"", "\"kind\":\"firehose\""),
        400,
        "{\"error_code\":\"INVALID_MANIFEST\",\"error_message\":\"manifest kind 'firehose' is not"
            + " supported: ampd extracts evm-rpc datasets only\","
            + "\"details\":{\"field\":\"manifest.kind\"}}");
    assertRefused(
        ampManifest(BLOCKS_FIELDS).replace("\"start_block\":0", "\"start_block\":-1"),
        400,
        "{\"error_code\":\"INVALID_MANIFEST\",\"error_message\":\"dataset field"
            + " 'manifest.start_block' is -1, expected 0 or more\","
            + "\"details\":{\"field\":\"manifest.start_block\"}}");
    assertRefused(
        ampManifest(BLOCKS_FIELDS).replace("\"start_block\":0", "\"start_blok\":0"),
        400,
        "{\"error_code\":\"INVALID_MANIFEST\",\"error_message\":\"manifest field 'start_blok' is"
            + " unknown; an evm-rpc manifest has kind, network, start_block,"
            + " finalized_blocks_only, tables (and ampd's confirmations, end_block)\","
            + "\"details\":{\"field\":\"manifest\"}}");
    // Amp's generated manifests carry a $comment: ignored.
    Answer comment =
        api.raw(
            "POST",
            "/datasets",
            registration(
                "1.0.0",
                ampManifest(BLOCKS_FIELDS).replace("{\"kind\"", "{\"$comment\":\"x\",\"kind\"")));
    assertEquals(201, comment.status(), comment.body());
    assertEquals(404, api.get("/datasets/ex/eth_blocks/versions/9.9.9").status(), "none stored");
  }

  @Test
  void semanticVersionPrecedence() {
    List<String> ordered =
        List.of(
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.2.0",
            "1.10.0",
            "2.0.0");
    for (int i = 0; i + 1 < ordered.size(); i++) {
      assertTrue(Revisions.compare(ordered.get(i), ordered.get(i + 1)) < 0, ordered.get(i));
      assertTrue(Revisions.compare(ordered.get(i + 1), ordered.get(i)) > 0, ordered.get(i));
    }
    assertEquals(0, Revisions.compare("1.0.0+build.1", "1.0.0"));
  }
}
