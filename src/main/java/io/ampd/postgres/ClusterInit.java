package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates the cluster once (docs/design.md "Managed PostgreSQL" 5). initdb writes {@code
 * PG_VERSION} early, so a cluster dir that merely has one may be half made; instead initdb runs
 * into a hidden sibling ({@code .metadb.initdb}) that is renamed into place when initdb succeeded.
 * The data dir therefore either is a complete cluster or has no {@code PG_VERSION}; leftovers of an
 * interrupted run (the sibling, or PostgreSQL files without {@code PG_VERSION}) are removed and
 * initdb runs again. initdb keeps its fsync: the new cluster is durable.
 */
final class ClusterInit {
  static final String PG_VERSION = "PG_VERSION";
  private static final Set<String> CLUSTER_NAMES = Set.of("base", "global", PG_VERSION);

  private ClusterInit() {}

  /** The major version in {@code PG_VERSION}, when the cluster exists. */
  static Optional<String> existingMajor(Path dataDir) {
    try {
      return Optional.of(
          Files.readString(dataDir.resolve(PG_VERSION), StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Runs initdb into a sibling and renames it to {@code dataDir}. */
  static void run(Binaries binaries, OsUser user, Path dataDir, Launcher launcher)
      throws IOException {
    Path parent = dataDir.getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + dataDir.getFileName() + ".initdb");
    FileTrees.deleteRecursively(tmp);
    clearLeftovers(dataDir);
    Files.createDirectory(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    user.chown(tmp);
    List<String> command =
        List.of(
            binaries.initdb().toString(),
            "-D",
            tmp.toString(),
            "-E",
            "UTF8",
            "--locale=C",
            "-A",
            "trust",
            "-U",
            "postgres");
    ProcessOutput output = new ProcessOutput("initdb", 40, true);
    Process process = launcher.start(command, false);
    output.pump(process, "initdb-log");
    int exit;
    try {
      exit = process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running initdb", e);
    }
    output.awaitEnd();
    if (exit != 0) {
      throw new AmpdException(
          "initdb failed (exit " + exit + ") for " + dataDir + "; last lines: " + output.tail(10),
          "fix the cause above and start again; the half-made cluster is removed on retry");
    }
    Files.move(tmp, dataDir, StandardCopyOption.ATOMIC_MOVE);
    syncDir(parent);
  }

  /**
   * Removes what an interrupted initdb left in {@code dataDir}; refuses to touch a dir that holds
   * anything PostgreSQL does not write.
   */
  private static void clearLeftovers(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      return;
    }
    List<String> foreign = new ArrayList<>();
    boolean any = false;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir)) {
      for (Path e : entries) {
        any = true;
        String name = e.getFileName().toString();
        if (!(CLUSTER_NAMES.contains(name)
            || name.startsWith("pg_")
            || name.startsWith("postgresql.")
            || name.startsWith("postmaster.")
            || name.startsWith(".s.PGSQL."))) {
          foreign.add(name);
        }
      }
    }
    if (!foreign.isEmpty()) {
      throw new AmpdException(
          "data dir "
              + dataDir
              + " has no "
              + PG_VERSION
              + " but holds files PostgreSQL did not"
              + " write: "
              + String.join(", ", foreign.subList(0, Math.min(5, foreign.size()))),
          "move those files away, or choose another --amp-dir");
    }
    if (any) {
      FileTrees.deleteRecursively(dataDir);
    } else {
      Files.delete(dataDir);
    }
  }

  private static void syncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Best effort: not every platform can fsync a directory.
    }
  }
}
