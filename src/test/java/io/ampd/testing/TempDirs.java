package io.ampd.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Temp dirs PostgreSQL can use: mode 0755 under {@code java.io.tmpdir} (JUnit's {@code @TempDir}
 * is 0700, which the unprivileged PostgreSQL user cannot enter). Each dir is deleted recursively
 * after the test when the class has {@code @ExtendWith(TempDirs.class)}, and in any case when
 * the test JVM exits.
 */
public final class TempDirs implements AfterEachCallback {
  private static final List<Path> CREATED = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::deleteAll, "temp-dirs-cleanup"));
  }

  /** A new empty 0755 dir {@code <tmp>/<prefix>-<random>}. */
  public static Path create(String prefix) {
    try {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
      Path dir = Files.createTempDirectory(tmp, prefix + "-");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      synchronized (CREATED) {
        CREATED.add(dir);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    deleteAll();
  }

  private static void deleteAll() {
    List<Path> dirs;
    synchronized (CREATED) {
      dirs = new ArrayList<>(CREATED);
      CREATED.clear();
    }
    for (Path dir : dirs) {
      deleteRecursively(dir);
    }
  }

  /** Deletes {@code dir} and everything in it; symlinks are removed, not followed. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("cannot delete " + dir + ": " + e);
    }
  }
}
