package io.ampd.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UrlsTest {
  @Test
  void plainUrlsStayAsTheyAre() {
    assertEquals("http://127.0.0.1:8545", Urls.redact("http://127.0.0.1:8545"));
    assertEquals(
        "https://rpc.example.com/eth?chain=1", Urls.redact("https://rpc.example.com/eth?chain=1"));
    assertEquals("https://host/v1/mainnet", Urls.redact("https://host/v1/mainnet"));
    assertFalse(Urls.hasCredentials("https://host/v1/mainnet"));
    assertEquals("", Urls.redact(null));
  }

  @Test
  void userinfoIsMasked() {
    assertEquals("https://alice:***@host:8545/", Urls.redact("https://alice:s3cr%40t@host:8545/"));
    assertEquals("https://***@host/", Urls.redact("https://bare-token@host/"));
    assertEquals("https://u:***@host/", Urls.redact("https://u:p@ss@host/"));
    assertTrue(Urls.hasCredentials("https://u:p@host"));
  }

  @Test
  void secretQueryParametersAreMasked() {
    assertEquals(
        "https://host/rpc?apikey=***&chain=1&access_token=***&X-Auth=***",
        Urls.redact("https://host/rpc?apikey=abc&chain=1&access_token=t0k&X-Auth=zz"));
  }

  @Test
  void keyLikePathSegmentsAreMasked() {
    assertEquals(
        "https://mainnet.infura.io/v3/***",
        Urls.redact("https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161"));
    assertEquals(
        "https://eth-mainnet.g.alchemy.com/v2/***",
        Urls.redact("https://eth-mainnet.g.alchemy.com/v2/Ab_cd-EF1234567890xyz"));
    assertEquals(
        "https://x.quiknode.pro/***/", Urls.redact("https://x.quiknode.pro/abcdef0123456789abcd/"));
  }

  @Test
  void unparseableTextIsMaskedGenerously() {
    assertEquals("https://***@host/", Urls.redact("https://u:pa?ss@host/"));
    assertEquals("u:***@host", Urls.redact("u:secret@host"));
  }
}
