package io.ampd.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
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
            + "\"fetch_receipts_per_tx\":false}",
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
            + " fetch_receipts_per_tx",
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
}
