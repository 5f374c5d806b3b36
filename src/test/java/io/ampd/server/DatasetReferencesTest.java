package io.ampd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ampd.core.Json;
import io.ampd.metadb.DatasetRepository;
import io.ampd.registry.DatasetRef;
import io.ampd.testing.NoStop;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Amp's dataset references in SQL: {@code [namespace/]name[@revision]}, namespace {@code _} when
 * absent, and without a version (or {@code @latest}) the latest version that has data; a version,
 * or a manifest hash, names one version.
 */
class DatasetReferencesTest {
  private static long count(ServerFixture f, String dataset) throws Exception {
    return f.rows("SELECT count(*) AS n FROM " + dataset + ".blocks").get(0).get("n").asLong();
  }

  private static String notFound(ServerFixture f, String dataset) throws Exception {
    HttpResponse<String> r = f.jsonl("SELECT * FROM " + dataset + ".blocks");
    assertEquals(404, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body()).get("error_message").asText();
  }

  @Test
  void referencesNameVersionsAsAmpDoes() throws Exception {
    try (ServerFixture f = new ServerFixture(1_999)) {
      DatasetRef v1 = new DatasetRef("example", "mainnet", "1.0.0");
      DatasetRef v2 = new DatasetRef("example", "mainnet", "2.0.0");
      f.register(v1, 0, OptionalLong.of(999));
      f.extract(v1, 500, NoStop.NEVER);
      f.register(v2, 0, OptionalLong.of(1_999)); // registered later, no data yet
      f.startServer(f.config(Duration.ofMinutes(5), 8));
      DatasetRepository repo = new DatasetRepository(f.db.dataSource());
      String hash1 = repo.find(v1).orElseThrow().manifestHash();
      String hash2 = repo.find(v2).orElseThrow().manifestHash();

      assertEquals(1_000, count(f, "\"example/mainnet\""), "latest version that has data");
      assertEquals(1_000, count(f, "\"example/mainnet@latest\""));
      assertEquals(1_000, count(f, "\"example/mainnet@1.0.0\""));
      assertEquals(0, count(f, "\"example/mainnet@2.0.0\""), "a version without data is empty");
      assertEquals(1_000, count(f, "\"example/mainnet@" + hash1 + "\""));
      assertEquals(0, count(f, "\"example/mainnet@" + hash2 + "\""));
      assertEquals(1_000, count(f, "\"EXAMPLE/MainNet\""), "unquoted names ignore case");

      f.extract(v2, 500, NoStop.NEVER);
      assertEquals(2_000, count(f, "\"example/mainnet\""), "now the latest version has data");
      assertEquals(1_000, count(f, "\"example/mainnet@1.0.0\""));

      assertEquals("dataset not found: _/mainnet", notFound(f, "mainnet"));
      assertEquals(
          "dataset not found: example/mainnet@3.0.0", notFound(f, "\"example/mainnet@3.0.0\""));
      assertEquals(
          "table nope not found in dataset example/mainnet@2.0.0 (its tables: blocks,"
              + " transactions, logs)",
          Json.MAPPER
              .readTree(f.jsonl("SELECT * FROM \"example/mainnet\".nope").body())
              .get("error_message")
              .asText());

      // the global namespace: a dataset of namespace _ is named without it
      DatasetRef global = new DatasetRef("_", "chain", "1");
      f.register(global, 0, OptionalLong.of(499));
      f.extract(global, 500, NoStop.NEVER);
      assertEquals(500, count(f, "chain"));
      assertEquals(500, count(f, "\"_/chain\""));
      assertEquals(500, count(f, "\"chain@1\""));
    }
  }
}
