package io.ampd.postgres;

import static io.ampd.postgres.PgTestSupport.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TempDirs.class)
class BundledBinariesTest {

  @Test
  void bundledBinariesAreUnpackedOnceAndRunACluster() throws Exception {
    Path cache = TempDirs.create("ampdcache");
    Path data = TempDirs.create("pgbundled").resolve("metadb");
    PostgresSettings settings =
        PgTestSupport.settings(data).withBinDir("bundled").withCacheDir(cache);
    // Two unpackers race; both must end with the same complete copy.
    BundledBinaries bundled = new BundledBinaries(settings);
    CompletableFuture<Binaries> other = CompletableFuture.supplyAsync(() -> bundled.extract("race"));
    Binaries mine = bundled.extract("test");
    assertEquals(mine.dir(), other.get().dir());
    assertTrue(mine.version().startsWith("18."), mine.version());
    try (var dirs = Files.list(cache)) {
      assertEquals(1, dirs.count(), "temporary unpack dirs are gone");
    }
    assertTrue(Files.exists(mine.dir().getParent().resolve(BundledBinaries.MARKER)));

    try (PostgresSupervisor s =
        PostgresSupervisor.start(settings, new PostgresSupervisor.Listener() {})) {
      assertEquals(mine.dir(), new BinaryLocator(settings, bundled).locate(Optional.of("18")).dir());
      assertEquals("18", Files.readString(data.resolve("PG_VERSION")).trim());
      assertTrue(query(s.url(), "SELECT version()").get(0).startsWith("PostgreSQL 18."));
      assertEquals(List.of("1"), query(s.url(), "SELECT 1"));
    }
  }
}
