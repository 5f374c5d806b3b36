package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.core.AmpdException;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.MigratedTestDb;
import io.ampd.metadb.ProviderRepository;
import io.ampd.registry.DatasetRef;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the controller loads from providers_dir and manifests_dir at start. */
class RegistryFilesLoaderTest {
  private static final Path EXAMPLE = Path.of(".amp.example");

  @TempDir Path dir;
  private MigratedTestDb db;

  @BeforeEach
  void open() {
    db = MigratedTestDb.create("registry_files");
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void theExamplesLoadAndLoadingAgainChangesNothing() {
    RegistryFilesLoader.Loaded first =
        RegistryFilesLoader.load(
            EXAMPLE.resolve("providers"), EXAMPLE.resolve("manifests"), db.dataSource());
    assertEquals(new RegistryFilesLoader.Loaded(1, 1, 1, 1), first);
    assertTrue(new ProviderRepository(db.dataSource()).find("mainnet").isPresent());
    assertTrue(
        new DatasetRepository(db.dataSource())
            .find(new DatasetRef("example", "mainnet", "1.0.0"))
            .isPresent());

    RegistryFilesLoader.Loaded again =
        RegistryFilesLoader.load(
            EXAMPLE.resolve("providers"), EXAMPLE.resolve("manifests"), db.dataSource());
    assertEquals(new RegistryFilesLoader.Loaded(1, 0, 1, 0), again);
  }

  @Test
  void aChangedManifestForARegisteredVersionStopsTheStart() throws Exception {
    RegistryFilesLoader.load(dir.resolve("none"), EXAMPLE.resolve("manifests"), db.dataSource());
    Path manifests = Files.createDirectory(dir.resolve("manifests"));
    Path file =
        Files.writeString(
            manifests.resolve("changed.json"),
            Files.readString(EXAMPLE.resolve("manifests/example.json"))
                .replace("\"end_block\": 1000", "\"end_block\": 2000"));

    AmpdException e =
        assertThrows(
            AmpdException.class,
            () -> RegistryFilesLoader.load(dir.resolve("none"), manifests, db.dataSource()));
    assertTrue(
        e.getMessage()
            .startsWith(
                file + ": dataset example/mainnet@1.0.0 is already registered with manifest "),
        e.getMessage());
    assertEquals(
        "a registered version never changes: register the changed manifest under a new version",
        e.hint());
  }

  @Test
  void aBadFileChangesNothing() throws Exception {
    Path providers = Files.createDirectory(dir.resolve("providers"));
    Files.writeString(
        providers.resolve("ok.toml"),
        "name = 'ok'\nkind = 'evm-rpc'\nnetwork = 'n'\nurl = 'http://h'\n");
    Path manifests = Files.createDirectory(dir.resolve("manifests"));
    Path bad = Files.writeString(manifests.resolve("bad.json"), "{\"namespace\": \"x\"}");

    AmpdException e =
        assertThrows(
            AmpdException.class,
            () -> RegistryFilesLoader.load(providers, manifests, db.dataSource()));
    assertEquals(bad + ": dataset field 'name' is required", e.getMessage());
    assertTrue(new ProviderRepository(db.dataSource()).find("ok").isEmpty());
  }
}
