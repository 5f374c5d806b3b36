package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.registry.Dataset;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ManifestParser;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DatasetRepositoryTest {
  private static MigratedTestDb db;
  private static DatasetRepository datasets;

  @BeforeAll
  static void open() {
    db = MigratedTestDb.create("datasets");
    datasets = new DatasetRepository(db.dataSource());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static DatasetRegistration registration(String ns, String name, String v, long start) {
    return new DatasetRegistration(
        new DatasetRef(ns, name, v),
        new EvmRpcManifest(
            "mainnet", start, OptionalLong.of(start + 10), 0, List.of(EvmTable.values())));
  }

  @Test
  void registerThenFind() {
    DatasetRegistration r = registration("reg", "d", "1.0.0", 7);
    DatasetRepository.Registered first = datasets.register(r);
    assertTrue(first.created());
    assertEquals(ManifestParser.hash(r.manifest()), first.dataset().manifestHash());
    Dataset found = datasets.find(r.ref()).orElseThrow();
    assertEquals(first.dataset(), found);
    assertEquals(
        "t",
        db.queryText(
            "SELECT content = '"
                + ManifestParser.canonicalText(r.manifest())
                + "'::jsonb"
                + " FROM manifests WHERE hash = '"
                + found.manifestHash()
                + "'"),
        "manifests.content is the canonical manifest (jsonb keeps its own key order)");
    assertEquals(Optional.empty(), datasets.find(new DatasetRef("reg", "d", "9")));
  }

  @Test
  void registeringTheSameVersionAgainIsANoOp() {
    DatasetRegistration r = registration("idem", "d", "1", 1);
    Dataset first = datasets.register(r).dataset();
    DatasetRepository.Registered again = datasets.register(r);
    assertFalse(again.created());
    assertEquals(first, again.dataset());
  }

  @Test
  void aVersionNeverChangesItsManifest() {
    DatasetRegistration r = registration("conflict", "d", "1", 1);
    String registered = datasets.register(r).dataset().manifestHash();
    DatasetRegistration changed = registration("conflict", "d", "1", 2);
    String given = ManifestParser.hash(changed.manifest());

    DatasetConflictException e =
        assertThrows(DatasetConflictException.class, () -> datasets.register(changed));
    assertEquals(
        "dataset conflict/d@1 is already registered with manifest " + registered + ", not " + given,
        e.getMessage());
    assertEquals(
        "0",
        db.queryText("SELECT count(*) FROM manifests WHERE hash = '" + given + "'"),
        "a refused registration leaves no manifest behind");
  }

  @Test
  void versionsShareAManifestStoredOnce() {
    datasets.register(registration("share", "a", "1", 100));
    datasets.register(registration("share", "b", "1", 100));
    String hash = ManifestParser.hash(registration("x", "x", "x", 100).manifest());
    assertEquals("1", db.queryText("SELECT count(*) FROM manifests WHERE hash = '" + hash + "'"));
  }

  @Test
  void listAndVersionsInRegistrationOrder() {
    datasets.register(registration("list", "d", "2.0.0", 1));
    datasets.register(registration("list", "d", "10.0.0", 2));
    datasets.register(registration("list", "c", "1", 3));
    assertEquals(
        List.of("2.0.0", "10.0.0"),
        datasets.versions("list", "d").stream().map(v -> v.ref().version()).toList());
    assertEquals(List.of(), datasets.versions("list", "none"));
    List<String> listed =
        datasets.list().stream()
            .filter(v -> v.ref().namespace().equals("list"))
            .map(v -> v.ref().toString())
            .toList();
    assertEquals(List.of("list/c@1", "list/d@2.0.0", "list/d@10.0.0"), listed);
  }

  @Test
  void racingRegistrationsOfOneVersionLetExactlyOneWin() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<Object> a = () -> attempt(registration("race", "d", "1", 1));
      Callable<Object> b = () -> attempt(registration("race", "d", "1", 2));
      Future<Object> fa = pool.submit(a);
      Future<Object> fb = pool.submit(b);
      List<Object> outcomes = List.of(fa.get(), fb.get());
      assertEquals(
          1,
          outcomes.stream().filter(o -> o instanceof DatasetRepository.Registered).count(),
          outcomes.toString());
      assertEquals(
          1,
          outcomes.stream().filter(o -> o instanceof DatasetConflictException).count(),
          outcomes.toString());
      assertEquals(
          "1",
          db.queryText(
              "SELECT count(*) FROM manifests m JOIN datasets d ON true"
                  + " WHERE d.namespace = 'race' AND m.hash = d.manifest_hash"));
    } finally {
      pool.shutdownNow();
    }
  }

  private static Object attempt(DatasetRegistration r) {
    try {
      return datasets.register(r);
    } catch (DatasetConflictException e) {
      return e;
    }
  }
}
