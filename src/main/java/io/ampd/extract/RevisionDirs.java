package io.ampd.extract;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revision directories under {@code data_dir} ({@link Layout}): removing one, and finding those no
 * record names any more (left by a deletion interrupted between its two steps).
 */
public final class RevisionDirs {
  private static final Logger LOG = LoggerFactory.getLogger(RevisionDirs.class);

  /** {@code <namespace>/<name>/<table>/<version>/<revision>}. */
  private static final int DEPTH = 5;

  /** The last component of a revision directory ({@link Layout#revisionPath}). */
  private static final Pattern REVISION = Pattern.compile("job-[0-9]+");

  private RevisionDirs() {}

  /**
   * Removes the revision directory {@code path} (relative to {@code dataDir}) with its files;
   * returns how many files it held. A directory that is not there counts as removed.
   *
   * @throws IllegalArgumentException when {@code path} is not a revision directory inside {@code
   *     dataDir}
   */
  public static long delete(Path dataDir, String path) throws IOException {
    Path root = dataDir.toAbsolutePath().normalize();
    Path dir = root.resolve(path).normalize();
    if (!dir.startsWith(root)
        || root.relativize(dir).getNameCount() != DEPTH
        || !REVISION.matcher(dir.getFileName().toString()).matches()) {
      throw new IllegalArgumentException("not a revision directory: " + path);
    }
    long[] files = {0};
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              files[0]++;
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              if (e != null) {
                throw e;
              }
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException e) {
      // gone already
    }
    return files[0];
  }

  /**
   * Removes the revision directories under {@code dataDir} that {@code recorded} (read after the
   * directories are listed) does not name. Reading the records last keeps a revision being created
   * meanwhile: its record is committed before its directory is made. Returns the paths removed.
   */
  public static List<String> sweep(Path dataDir, Supplier<Set<String>> recorded)
      throws IOException {
    List<String> found = new ArrayList<>();
    if (Files.isDirectory(dataDir)) {
      collect(dataDir, dataDir, 1, found);
    }
    if (found.isEmpty()) {
      return found;
    }
    Set<String> known = recorded.get();
    List<String> removed = new ArrayList<>();
    for (String path : found) {
      if (!known.contains(path)) {
        long files = delete(dataDir, path);
        LOG.info(
            "removed revision directory {} ({} files): no record names it (its deletion was"
                + " interrupted)",
            path,
            files);
        removed.add(path);
      }
    }
    return removed;
  }

  private static void collect(Path root, Path dir, int depth, List<String> out) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : entries) {
        if (depth < DEPTH) {
          collect(root, p, depth + 1, out);
        } else if (REVISION.matcher(p.getFileName().toString()).matches()) {
          out.add(root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"));
        }
      }
    }
  }
}
