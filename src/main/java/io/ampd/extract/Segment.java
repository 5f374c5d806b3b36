package io.ampd.extract;

import io.ampd.metadb.NewFile;
import io.ampd.metadb.TableRevision;
import io.ampd.worker.StopSignal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes blocks {@code first..last} as one Parquet file per table: fetches them (the fetcher may
 * read ahead up to {@code limit}), writes each table's rows to a temporary file in its revision
 * directory, forces the files to disk, renames them to their final names and forces the
 * directories; tells {@code progress} how far it got after each batch of blocks. Returns the files
 * to record; recording them is the caller's one transaction. If anything fails or a stop comes
 * before the renames, the temporary files are deleted; files renamed but not recorded (a crash
 * before the commit) are deleted by the next run before it writes.
 */
final class Segment {
  private static final Logger LOG = LoggerFactory.getLogger(Segment.class);

  /** A table of the dataset: its schema, revision and directory. */
  record Target(TableSchema<?> schema, TableRevision revision, Path dir) {}

  private Segment() {}

  static List<NewFile> write(
      List<Target> targets,
      long first,
      long last,
      long limit,
      BlockFetcher fetcher,
      ChainLinks links,
      StopSignal stop,
      Map<String, String> metadata,
      BufferPool buffers,
      ProgressTracker progress)
      throws Exception {
    String name = Layout.fileName(first, last);
    List<ParquetTableFile<?>> files = new ArrayList<>();
    boolean renamed = false;
    try {
      for (Target t : targets) {
        Path temp = t.dir().resolve(Layout.tempName(name));
        files.add(new ParquetTableFile<>(t.schema(), temp, metadata, buffers));
      }
      long[] expected = {first};
      fetcher.fetch(
          first,
          last,
          limit,
          stop,
          blocks -> {
            for (BlockData block : blocks) {
              if (block.block().number() != expected[0]) {
                throw new IllegalStateException(
                    "fetcher out of order: " + block.block().number() + " != " + expected[0]);
              }
              expected[0]++;
              links.check(block.block());
              for (ParquetTableFile<?> f : files) {
                f.add(block);
              }
            }
            progress.fetched(expected[0] - 1, files);
          });
      long[] sizes = new long[files.size()];
      for (int i = 0; i < files.size(); i++) {
        sizes[i] = files.get(i).finish();
      }
      List<NewFile> out = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        Target t = targets.get(i);
        Files.move(files.get(i).path(), t.dir().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        out.add(new NewFile(t.revision().id(), name, sizes[i], files.get(i).rows(), first, last));
      }
      renamed = true;
      for (Target t : targets) {
        forceDirectory(t.dir());
      }
      return out;
    } finally {
      if (!renamed) {
        for (ParquetTableFile<?> f : files) {
          try {
            f.close();
          } catch (IOException | RuntimeException e) {
            LOG.debug("closing abandoned {}: {}", f.path(), e.toString());
          }
          Files.deleteIfExists(f.path());
        }
      }
    }
  }

  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
