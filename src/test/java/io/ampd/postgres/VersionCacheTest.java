package io.ampd.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ampd.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TempDirs.class)
class VersionCacheTest {
  @Test
  void asksOnceThenAgainWhenTheBinaryChanges() throws Exception {
    Path dir = TempDirs.create("version-cache");
    Path binary = dir.resolve("postgres");
    Files.writeString(binary, "v1");
    AtomicInteger probes = new AtomicInteger();
    VersionCache cache = new VersionCache(dir.resolve("cache"));

    assertEquals("15.18", cache.version(binary, p -> "15.1" + (7 + probes.incrementAndGet())));
    assertEquals("15.18", new VersionCache(dir.resolve("cache")).version(binary, p -> "never"));
    assertEquals(1, probes.get());

    Files.writeString(binary, "v2 is longer");
    Files.setLastModifiedTime(binary, FileTime.fromMillis(1_000_000));
    assertEquals("16.2", cache.version(binary, p -> "16.2"));
    assertEquals("16.2", cache.version(binary, p -> "never"));
  }
}
