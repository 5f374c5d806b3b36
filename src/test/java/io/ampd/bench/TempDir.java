package io.ampd.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A private working dir under {@code java.io.tmpdir}, mode 0755 so the PostgreSQL OS user can enter
 * it; {@link #close()} deletes it with everything in it (root may delete files owned by that user).
 * Idempotent.
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
    try {
      deleteRecursively(path);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("bench: cannot delete " + path + ": " + e);
    }
  }

  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void deleteIfExists(Path p) throws IOException {
    try {
      Files.deleteIfExists(p);
    } catch (NoSuchFileException e) {
      // PostgreSQL removed it while we walked
    }
  }
}
