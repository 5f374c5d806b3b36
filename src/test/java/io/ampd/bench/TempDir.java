package io.ampd.bench;

import io.ampd.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A private working dir under {@code java.io.tmpdir}, mode 0755 so the PostgreSQL OS user can enter
 * it; {@link #close()} deletes it with everything in it ({@link TempDirs#deleteRecursively}; root
 * may delete files owned by that user). Idempotent.
 */
final class TempDir implements AutoCloseable {
  private final Path path;

  private TempDir(Path path) {
    this.path = path;
  }

  static TempDir create(Path tmp, String prefix) throws IOException {
    Path dir = Files.createTempDirectory(tmp, prefix);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new TempDir(dir);
  }

  Path path() {
    return path;
  }

  /** A new sub dir, mode 0755. */
  Path mkdir(String name) throws IOException {
    Path dir = Files.createDirectory(path.resolve(name));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  @Override
  public void close() {
    TempDirs.deleteRecursively(path);
  }
}
