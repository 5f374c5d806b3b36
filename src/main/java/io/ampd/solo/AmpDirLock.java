package io.ampd.solo;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One solo per amp dir: an OS file lock on {@code <amp-dir>/ampd.lock}, held for the life of the
 * process (the OS drops it when the process dies, even by SIGKILL). The holder writes its pid into
 * the file so a second solo can name it. The file is never deleted: deleting a lock file lets two
 * processes each lock a different inode.
 */
public final class AmpDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private AmpDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock or fails with a message naming the process that holds it.
   *
   * @throws AmpdException when another solo holds it, or the file cannot be opened
   */
  public static AmpDirLock acquire(Path ampDir) {
    return acquire(ampDir, true).orElseThrow();
  }

  /**
   * Takes the lock if the lock file exists, creating nothing: a start checks first that no other
   * solo runs on the dir, before it checks anything else.
   *
   * @throws AmpdException when another solo holds it, or the file cannot be opened
   */
  public static java.util.Optional<AmpDirLock> acquireIfExists(Path ampDir) {
    if (!Files.exists(ampDir.resolve("ampd.lock"))) {
      return java.util.Optional.empty();
    }
    return acquire(ampDir, false);
  }

  private static java.util.Optional<AmpDirLock> acquire(Path ampDir, boolean create) {
    Path file = ampDir.resolve("ampd.lock");
    FileChannel channel;
    try {
      channel =
          create
              ? FileChannel.open(
                  file,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE)
              : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (java.nio.file.NoSuchFileException e) {
      if (!create) {
        return java.util.Optional.empty();
      }
      throw new AmpdException(
          "cannot open lock file " + file + ": " + e.getMessage(),
          "check that the amp dir is writable, or choose another with --amp-dir");
    } catch (IOException e) {
      throw new AmpdException(
          "cannot open lock file " + file + ": " + e.getMessage(),
          "check that the amp dir is writable, or choose another with --amp-dir");
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      String holder = readHolder(file);
      closeQuietly(channel);
      throw new AmpdException(
          "another ampd solo" + holder + " is running on " + ampDir,
          "stop it first, or use a different --amp-dir");
    }
    try {
      byte[] content =
          ("pid=" + ProcessHandle.current().pid() + "\nstarted=" + Instant.now() + "\n")
              .getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(content), 0);
      channel.force(false);
    } catch (IOException e) {
      // The lock is what matters; the pid is only for the message of a second solo.
    }
    return java.util.Optional.of(new AmpDirLock(channel, lock));
  }

  private static String readHolder(Path file) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith("pid=")) {
          return " (pid " + line.substring(4).trim() + ")";
        }
      }
    } catch (IOException e) {
      // fall through: name no pid
    }
    return "";
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      // released when the channel closes anyway
    }
    closeQuietly(channel);
  }
}
