package io.ampd.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static String error(String provider) throws Exception {
    return assertThrows(InvalidDocumentException.class, () -> ProviderParser.parse(json(provider)))
        .getMessage();
  }

  private static final String MINIMAL =
      "{'name':'main','kind':'evm-rpc','url':'http://127.0.0.1:8545','network':'mainnet'";

  @Test
  void minimalProviderGetsDefaults() throws Exception {
    ProviderConfig p = ProviderParser.parse(json(MINIMAL + "}"));
    assertEquals(
        new ProviderConfig(
            "main",
            DatasetKind.EVM_RPC.kindName(),
            "http://127.0.0.1:8545",
            "mainnet",
            8,
            50,
            Duration.ofSeconds(30),
            new RetryPolicy(5, Duration.ofMillis(250), Duration.ofSeconds(10))),
        p);
  }

  @Test
  void everyFieldIsRead() throws Exception {
    ProviderConfig p =
        ProviderParser.parse(
            json(
                MINIMAL
                    + ",'concurrency':3,'batch_size':7,'request_timeout_ms':1500,"
                    + "'rate_limit_per_sec':25,'max_response_bytes':1048576,"
                    + "'retry':{'max_attempts':2,'initial_backoff_ms':10,'max_backoff_ms':20},"
                    + "'fetch_receipts_per_tx':true}"));
    assertTrue(p.fetchReceiptsPerTx());
    assertEquals(3, p.concurrency());
    assertEquals(25, p.rateLimitPerSec());
    assertEquals(1048576, p.maxResponseBytes());
    assertEquals(7, p.batchSize());
    assertEquals(Duration.ofMillis(1500), p.requestTimeout());
    assertEquals(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20)), p.retry());
  }

  @Test
  void toJsonRoundTripsAndRedacts() throws Exception {
    ProviderConfig p =
        ProviderParser.parse(
            json(
                "{'name':'m','kind':'evm-rpc',"
                    + "'url':'https://u:pw@host/v3/9aa3d95b3bc440fa88ea12eaa4456161',"
                    + "'network':'n'}"));
    assertEquals(p, ProviderParser.parse(ProviderParser.toJson(p, false)));
    assertEquals(
        "{\"name\":\"m\",\"kind\":\"evm-rpc\",\"url\":\"https://u:***@host/v3/***\","
            + "\"network\":\"n\","
            + "\"concurrency\":8,\"batch_size\":50,\"request_timeout_ms\":30000,"
            + "\"rate_limit_per_sec\":null,\"max_response_bytes\":268435456,"
            + "\"retry\":{\"max_attempts\":5,\"initial_backoff_ms\":250,\"max_backoff_ms\":10000},"
            + "\"fetch_receipts_per_tx\":false,\"auth_header\":null,\"auth_token\":null}",
        ProviderParser.toJson(p, true).toString());
    assertEquals("ProviderConfig[m, evm-rpc, https://u:***@host/v3/***, n]", p.toString());
    ProviderConfig limited =
        ProviderParser.parse(json(MINIMAL + ",'rate_limit_per_sec':3,'max_response_bytes':2048}"));
    assertEquals(limited, ProviderParser.parse(ProviderParser.toJson(limited, false)));
  }

  @Test
  void errorsNameFieldValueAndRule() throws Exception {
    assertEquals("provider must be a JSON object, got an array", error("[1]"));
    assertEquals("provider field 'name' is required", error("{'kind':'evm-rpc'}"));
    assertEquals(
        "provider field 'name' is \"1x\", expected a letter, then letters, digits, _ - ."
            + " (at most 64 characters)",
        error("{'name':'1x'}"));
    assertEquals(
        "provider field 'kind' is \"solana\", expected \"evm-rpc\"",
        error("{'name':'a','kind':'solana'}"));
    assertEquals(
        "provider field 'concurrency' is 0, expected 1 to 256",
        error(MINIMAL + ",'concurrency':0}"));
    assertEquals(
        "provider field 'batch_size' must be an integer, got a string",
        error(MINIMAL + ",'batch_size':'50'}"));
    assertEquals(
        "provider field 'request_timeout_ms' must be an integer, got the number 1.5",
        error(MINIMAL + ",'request_timeout_ms':1.5}"));
    assertEquals(
        "provider field 'request_timeout_ms' must be an integer, got the number 1.0E30",
        error(MINIMAL + ",'request_timeout_ms':1e30}"));
    assertEquals(
        "provider field 'retry.max_backoff_ms' is 5, expected 100 to 600000",
        error(MINIMAL + ",'retry':{'initial_backoff_ms':100,'max_backoff_ms':5}}"));
    assertEquals(
        "provider field 'retry.tries' is unknown; known fields: max_attempts, initial_backoff_ms,"
            + " max_backoff_ms",
        error(MINIMAL + ",'retry':{'tries':1}}"));
    assertEquals(
        "provider field 'retry' must be a JSON object, got an integer",
        error(MINIMAL + ",'retry':3}"));
    assertEquals(
        "provider field 'extra' is unknown; known fields: name, kind, url, network, concurrency,"
            + " batch_size, request_timeout_ms, rate_limit_per_sec, max_response_bytes, retry,"
            + " fetch_receipts_per_tx, auth_header, auth_token, concurrent_request_limit,"
            + " rpc_batch_size, timeout_secs, rate_limit_per_minute",
        error(MINIMAL + ",'extra':true}"));
    assertEquals(
        "provider field 'rate_limit_per_sec' is 0, expected 1 to 100000",
        error(MINIMAL + ",'rate_limit_per_sec':0}"));
    assertEquals(
        "provider field 'rate_limit_per_sec' must be an integer, got the number 0.5",
        error(MINIMAL + ",'rate_limit_per_sec':0.5}"));
    assertEquals(
        "provider field 'max_response_bytes' is 100, expected 1024 to 2000000000",
        error(MINIMAL + ",'max_response_bytes':100}"));
    assertEquals(
        "provider field 'max_response_bytes' must be an integer, got a string",
        error(MINIMAL + ",'max_response_bytes':'1MB'}"));
    assertEquals(
        "provider field 'fetch_receipts_per_tx' must be true or false, got a string",
        error(MINIMAL + ",'fetch_receipts_per_tx':'yes'}"));
  }

  @Test
  void urlErrorsNeverShowCredentials() throws Exception {
    String ftp =
        error("{'name':'a','kind':'evm-rpc','url':'ftp://bob:hunter2@host/x','network':'n'}");
    assertEquals(
        "provider field 'url' is \"ftp://bob:***@host/x\", expected an http:// or https:// URL with"
            + " a host",
        ftp);
    String spaces =
        error("{'name':'a','kind':'evm-rpc','url':'https://h/ x?token=hunter2','network':'n'}");
    assertFalse(spaces.contains("hunter2"), spaces);
    assertEquals(
        "provider field 'url' is \"https://u:***@host/\", which holds the mask *** of a redacted"
            + " credential; give the URL with its real credentials",
        error("{'name':'a','kind':'evm-rpc','url':'https://u:***@host/','network':'n'}"));
  }

  @Test
  void errorsCarryTheFieldPath() throws Exception {
    InvalidDocumentException e =
        assertThrows(
            InvalidDocumentException.class,
            () -> ProviderParser.parse(json(MINIMAL + ",'retry':{'max_attempts':0}}")));
    assertEquals("retry.max_attempts", e.field());
  }

  @Test
  void ampsNamesAreReadAsAmpdsSettings() throws Exception {
    ProviderConfig p =
        ProviderParser.parse(
            json(
                MINIMAL
                    + ",'concurrent_request_limit':12,'rpc_batch_size':100,'timeout_secs':45,"
                    + "'rate_limit_per_minute':1000}"));
    assertEquals(12, p.concurrency());
    assertEquals(100, p.batchSize());
    assertEquals(Duration.ofSeconds(45), p.requestTimeout());
    // 1000 a minute is not a whole number a second: kept as it is, never rounded
    assertEquals(0, p.rateLimitPerSec());
    assertEquals(1000, p.rateLimitPerMinute());
    assertEquals(60_000_000L, p.requestIntervalNanos());
    JsonNode answer = ProviderParser.toJson(p, true);
    assertEquals(12, answer.get("concurrency").asInt());
    assertEquals(100, answer.get("batch_size").asInt());
    assertEquals(45000, answer.get("request_timeout_ms").asInt());
    assertTrue(answer.get("rate_limit_per_sec").isNull());
    assertEquals(1000, answer.get("rate_limit_per_minute").asInt());
    assertFalse(answer.has("concurrent_request_limit"), answer.toString());
    assertEquals(p, ProviderParser.parse(ProviderParser.toJson(p, false)));

    ProviderConfig whole = ProviderParser.parse(json(MINIMAL + ",'rate_limit_per_minute':600}"));
    assertEquals(10, whole.rateLimitPerSec());
    assertEquals(0, whole.rateLimitPerMinute());
    assertEquals(100_000_000L, whole.requestIntervalNanos());
    assertFalse(ProviderParser.toJson(whole, true).has("rate_limit_per_minute"));
  }

  @Test
  void rpcBatchSizeZeroIsOneCallPerRequest() throws Exception {
    ProviderConfig unbatched = ProviderParser.parse(json(MINIMAL + ",'rpc_batch_size':0}"));
    assertEquals(0, unbatched.batchSize());
    assertEquals(0, ProviderParser.toJson(unbatched, true).get("batch_size").asInt());
    assertEquals(unbatched, ProviderParser.parse(json(MINIMAL + ",'batch_size':0}")));
    assertEquals(
        "provider field 'batch_size' is 1001, expected 0 to 1000",
        error(MINIMAL + ",'batch_size':1001}"));
    assertEquals(
        "provider field 'rpc_batch_size' is -1, expected 0 to 1000",
        error(MINIMAL + ",'rpc_batch_size':-1}"));
  }

  @Test
  void bothNamesOfOneSettingAreRefused() throws Exception {
    assertEquals(
        "provider field 'rate_limit_per_minute' and field 'rate_limit_per_sec' are one setting"
            + " (Amp's name and ampd's); give one",
        error(MINIMAL + ",'rate_limit_per_sec':10,'rate_limit_per_minute':600}"));
    assertEquals(
        "provider field 'concurrent_request_limit' and field 'concurrency' are one setting"
            + " (Amp's name and ampd's); give one",
        error(MINIMAL + ",'concurrency':4,'concurrent_request_limit':4}"));
    assertEquals(
        "provider field 'rpc_batch_size' and field 'batch_size' are one setting"
            + " (Amp's name and ampd's); give one",
        error(MINIMAL + ",'batch_size':4,'rpc_batch_size':4}"));
    assertEquals(
        "provider field 'timeout_secs' and field 'request_timeout_ms' are one setting"
            + " (Amp's name and ampd's); give one",
        error(MINIMAL + ",'request_timeout_ms':4000,'timeout_secs':4}"));
    assertEquals(
        "provider field 'timeout_secs' is 601, expected 1 to 600",
        error(MINIMAL + ",'timeout_secs':601}"));
    assertEquals(
        "provider field 'rate_limit_per_minute' is 0, expected 1 to 6000000",
        error(MINIMAL + ",'rate_limit_per_minute':0}"));
  }

  @Test
  void authTokenIsSentAsBearerOrInTheNamedHeader() throws Exception {
    ProviderConfig bearer = ProviderParser.parse(json(MINIMAL + ",'auth_token':'s3cr3t-t0ken'}"));
    assertEquals("Authorization", bearer.auth().headerName());
    assertEquals("Bearer s3cr3t-t0ken", bearer.auth().headerValue());
    ProviderConfig named =
        ProviderParser.parse(
            json(MINIMAL + ",'auth_header':'Drpc-Key','auth_token':'s3cr3t-t0ken'}"));
    assertEquals("Drpc-Key", named.auth().headerName());
    assertEquals("s3cr3t-t0ken", named.auth().headerValue());
    assertFalse(ProviderParser.parse(json(MINIMAL + ",'auth_header':'X-Key'}")).auth().sends());
    assertFalse(ProviderParser.parse(json(MINIMAL + "}")).auth().sends());
  }

  @Test
  void authTokenIsMaskedEverywhereButTheStoredForm() throws Exception {
    ProviderConfig p =
        ProviderParser.parse(
            json(MINIMAL + ",'auth_header':'Drpc-Key','auth_token':'s3cr3t-t0ken'}"));
    JsonNode answer = ProviderParser.toJson(p, true);
    assertEquals("***", answer.get("auth_token").asText());
    assertEquals("Drpc-Key", answer.get("auth_header").asText());
    assertFalse(answer.toString().contains("s3cr3t"), answer.toString());
    assertFalse(p.toString().contains("s3cr3t"), p.toString());
    assertFalse(p.auth().toString().contains("s3cr3t"), p.auth().toString());
    assertEquals(
        "node said: bad key *** for http://127.0.0.1:8545",
        p.redact("node said: bad key s3cr3t-t0ken for " + "http://127.0.0.1:8545"));
    // the stored form keeps it, and reads back equal
    assertEquals(p, ProviderParser.parse(ProviderParser.toJson(p, false)));
    // the masked value copied back from an answer is refused, as a masked URL is
    String copied = error(ProviderParser.toJson(p, true).toString().replace('"', '\''));
    assertEquals(
        "provider field 'auth_token' holds the mask *** of a redacted token (as API answers show"
            + " it); give the real token",
        copied);
    JsonNode none = ProviderParser.toJson(ProviderParser.parse(json(MINIMAL + "}")), true);
    assertTrue(none.get("auth_token").isNull());
    assertTrue(none.get("auth_header").isNull());
  }

  @Test
  void badAuthHeaderOrTokenIsRefusedInOneLineWithoutTheToken() throws Exception {
    assertEquals(
        "provider field 'auth_header' is \"Drpc Key\", expected an HTTP header name (letters,"
            + " digits and !#$%&'*+-.^_`|~)",
        error(MINIMAL + ",'auth_header':'Drpc Key','auth_token':'t'}").replace('"', '"'));
    assertEquals(
        "provider field 'auth_header' is \"Host\", a header HTTP itself sets; expected another"
            + " name (Authorization is the default)",
        error(MINIMAL + ",'auth_header':'Host','auth_token':'t'}"));
    assertTrue(
        error(MINIMAL + ",'auth_header':'transfer-encoding','auth_token':'t'}")
            .contains("a header HTTP itself sets"));
    assertEquals(
        "provider field 'auth_header' must be a string, got an integer",
        error(MINIMAL + ",'auth_header':5}"));
    String control = error(MINIMAL + ",'auth_token':'s3cr3t\\nX-Evil: 1'}");
    assertEquals(
        "provider field 'auth_token' holds a character an HTTP header cannot carry (a control"
            + " character or non-ASCII at position 7); the value is not shown",
        control);
    assertEquals(
        "provider field 'auth_token' is empty; give the token, or leave auth_token out",
        error(MINIMAL + ",'auth_token':''}"));
    assertEquals(
        "provider field 'auth_token' holds ${...}: ampd does not substitute environment variables"
            + " as Amp does; write the value itself",
        error(MINIMAL + ",'auth_token':'${RPC_TOKEN}'}"));
  }

  @Test
  void ampsOtherUrlSchemesAreRefusedSayingWhatIsSupported() throws Exception {
    String base = "{'name':'a','kind':'evm-rpc','network':'n','url':";
    assertEquals(
        "provider field 'url' is \"wss://eth-mainnet.example/v2/***\": WebSocket endpoints are"
            + " not supported, only http:// and https:// (give the node's HTTP URL)",
        error(base + "'wss://eth-mainnet.example/v2/9aa3d95b3bc440fa88ea12eaa4456161'}"));
    assertEquals(
        "provider field 'url' is \"ws://127.0.0.1:8546\": WebSocket endpoints are not supported,"
            + " only http:// and https:// (give the node's HTTP URL)",
        error(base + "'ws://127.0.0.1:8546'}"));
    for (String ipc :
        List.of(
            "ipc:///home/user/.ethereum/geth.ipc", "/home/user/.ethereum/geth.ipc", "geth.ipc")) {
      assertEquals(
          "provider field 'url' is \""
              + ipc
              + "\": IPC socket paths are not supported, only http:// and https:// (enable the"
              + " node's HTTP endpoint)",
          error(base + "'" + ipc + "'}"),
          ipc);
    }
    assertEquals(
        "provider field 'url' is \"${ETH_MAINNET_RPC_URL}\", which holds ${...}: ampd does not"
            + " substitute environment variables as Amp does; write the value itself",
        error(base + "'${ETH_MAINNET_RPC_URL}'}"));
  }
}
