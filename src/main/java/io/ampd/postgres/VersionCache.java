package io.ampd.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Properties;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers what {@code postgres -V} printed for a binary, keyed by its real path, size and
 * modification time, in {@code <cache>/postgres-versions.properties}. Running {@code -V} costs a
 * process start (tens of milliseconds) on every solo start otherwise. A changed or replaced binary
 * misses the cache and is asked again; a cache that cannot be read or written is just not used.
 */
final class VersionCache {
  private static final Logger log = LoggerFactory.getLogger(VersionCache.class);
  private static final String FILE = "postgres-versions.properties";

  private final Path file;

  VersionCache(Path cacheRoot) {
    this.file = cacheRoot.resolve(FILE);
  }

  /** The version of {@code postgres}, from the cache or from {@code probe} (then remembered). */
  String version(Path postgres, Function<Path, String> probe) {
    String key;
    String stamp;
    try {
      Path real = postgres.toRealPath();
      BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
      key = real.toString();
      stamp = attrs.size() + ":" + attrs.lastModifiedTime().toMillis() + ":";
    } catch (IOException e) {
      return probe.apply(postgres);
    }
    Properties cache = load();
    String entry = cache.getProperty(key);
    if (entry != null && entry.startsWith(stamp)) {
      return entry.substring(stamp.length());
    }
    String version = probe.apply(postgres);
    cache.setProperty(key, stamp + version);
    store(cache);
    return version;
  }

  private Properties load() {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      // no cache yet
    }
    return p;
  }

  private void store(Properties p) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, "postgres -V of binaries ampd has used; safe to delete");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.debug("cannot write {}: {}", file, e.toString());
    }
  }
}
