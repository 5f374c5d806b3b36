package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.EvmTable;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.ProviderParser;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProviderRepositoryTest {
  private static MigratedTestDb db;
  private static ProviderRepository providers;

  @BeforeAll
  static void open() {
    db = MigratedTestDb.create("providers");
    providers = new ProviderRepository(db.dataSource());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static ProviderConfig provider(String name, String network, String url) {
    return new ProviderConfig(
        name,
        DatasetKind.EVM_RPC.kindName(),
        url,
        network,
        4,
        20,
        Duration.ofSeconds(5),
        ProviderParser.defaultRetry());
  }

  @Test
  void upsertCreatesReplacesOrLeavesAlone() {
    ProviderConfig p = provider("up", "net-up", "https://u:secret@host/");
    ProviderRepository.Upserted created = providers.upsert(p);
    assertEquals(ProviderRepository.Upsert.CREATED, created.outcome());
    assertEquals(p, created.stored().provider());

    ProviderRepository.Upserted same = providers.upsert(p);
    assertEquals(ProviderRepository.Upsert.UNCHANGED, same.outcome());
    assertEquals(created.stored(), same.stored(), "an unchanged provider keeps its updated_at");

    ProviderConfig changed = provider("up", "net-up", "https://u:other@host/");
    ProviderRepository.Upserted replaced = providers.upsert(changed);
    assertEquals(ProviderRepository.Upsert.REPLACED, replaced.outcome());
    assertEquals(changed, providers.find("up").orElseThrow());
    assertEquals(created.stored().createdAt(), replaced.stored().createdAt());
    assertTrue(replaced.stored().updatedAt().isAfter(created.stored().updatedAt()));
  }

  @Test
  void theTableHoldsTheRealUrlForWorkers() {
    providers.upsert(provider("real", "net-real", "https://u:secret@host/"));
    assertEquals(
        "https://u:secret@host/",
        db.queryText("SELECT config->>'url' FROM providers WHERE name = 'real'"));
    assertEquals("evm-rpc", db.queryText("SELECT kind FROM providers WHERE name = 'real'"));
  }

  @Test
  void findListAndFindByNetwork() {
    providers.upsertAll(
        List.of(
            provider("fb", "net-f", "http://b"),
            provider("fa", "net-f", "http://a"),
            provider("fc", "net-g", "http://c")));
    assertEquals(
        List.of("fa", "fb"),
        providers.findByNetwork("net-f").stream().map(ProviderConfig::name).toList());
    assertEquals(Optional.empty(), providers.find("nope"));
    List<String> names = providers.list().stream().map(s -> s.provider().name()).toList();
    assertTrue(names.containsAll(List.of("fa", "fb", "fc")), names.toString());
    assertEquals(names.stream().sorted().toList(), names);
  }

  @Test
  void deleteRemovesAndSaysWhetherThereWasOne() {
    providers.upsert(provider("del", "net-del", "http://h"));
    assertTrue(providers.delete("del"));
    assertFalse(providers.delete("del"));
    assertEquals(Optional.empty(), providers.find("del"));
  }

  @Test
  void aProviderUsedByAnUnfinishedJobIsNotDeleted() {
    providers.upsert(provider("busy", "net-busy", "http://h"));
    for (String version : List.of("1", "2", "3")) { // at most one active job per version
      new DatasetRepository(db.dataSource())
          .register(
              new DatasetRegistration(
                  new DatasetRef("ns", "busy", version),
                  new EvmRpcManifest(
                      "net-busy", 0, OptionalLong.empty(), 0, List.of(EvmTable.BLOCKS))));
    }
    db.execute(
        "INSERT INTO jobs (idempotency_key, dataset_namespace, dataset_name, dataset_version,"
            + " descriptor, status) VALUES"
            + " ('busy-1', 'ns', 'busy', '1', '{\"provider\":\"busy\"}', 'COMPLETED'),"
            + " ('busy-2', 'ns', 'busy', '1', '{\"provider\":\"busy\"}', 'RUNNING'),"
            + " ('busy-3', 'ns', 'busy', '2', '{\"provider\":\"busy\"}', 'ERROR'),"
            + " ('busy-4', 'ns', 'busy', '3', '{\"provider\":\"other\"}', 'RUNNING')");
    String running = db.queryText("SELECT id FROM jobs WHERE idempotency_key = 'busy-2'");
    String error = db.queryText("SELECT id FROM jobs WHERE idempotency_key = 'busy-3'");

    ProviderInUseException e =
        assertThrows(ProviderInUseException.class, () -> providers.delete("busy"));
    assertEquals(
        "provider 'busy' is used by unfinished jobs " + running + ", " + error, e.getMessage());
    assertEquals(List.of(Long.parseLong(running), Long.parseLong(error)), e.jobIds());
    assertTrue(providers.find("busy").isPresent());

    db.execute("UPDATE jobs SET status = 'STOPPED' WHERE idempotency_key IN ('busy-2', 'busy-3')");
    assertTrue(providers.delete("busy"));
  }

  @Test
  void findForShareReadsInTheCallersTransaction() throws Exception {
    providers.upsert(provider("shared", "net-s", "http://h"));
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertEquals("shared", providers.findForShare(c, "shared").orElseThrow().name());
      assertEquals(Optional.empty(), providers.findForShare(c, "nope"));
      c.rollback();
    }
  }

  @Test
  void aRowEditedIntoNonsenseFailsLoudly() {
    providers.upsert(provider("edited", "net-e", "http://h"));
    db.execute(
        "UPDATE providers SET config = config || '{\"concurrency\": 0}' WHERE name = 'edited'");
    io.ampd.core.AmpdException e =
        assertThrows(io.ampd.core.AmpdException.class, () -> providers.find("edited"));
    assertEquals("provider field 'concurrency' is 0, expected 1 to 256", e.getMessage());
  }
}
