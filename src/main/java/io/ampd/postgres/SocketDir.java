package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where PostgreSQL puts its Unix socket (docs/design.md "Managed PostgreSQL" 7): the data dir
 * itself (0700), unless {@code <dir>/.s.PGSQL.<port>} would pass the OS limit for socket paths.
 * Then a private dir {@code ampd-<hash of the data dir>} under {@code $XDG_RUNTIME_DIR} (when set
 * and reachable by the PostgreSQL user) or the temp dir. Such a dir must be a real directory owned
 * by the PostgreSQL user with mode 0700; anything else there is an error, never reused.
 *
 * @param dir the socket directory
 * @param fallback true when it is the private dir outside the data dir (removed on close)
 */
record SocketDir(Path dir, boolean fallback) {

  static SocketDir choose(Path dataDir, int port, Host host, String runtimeDir, OsUser user)
      throws IOException {
    if (fits(dataDir, port, host)) {
      return new SocketDir(dataDir, false);
    }
    String name = "ampd-" + hash(dataDir.toString());
    Path base = host.tmpDir();
    if (runtimeDir != null && !runtimeDir.isEmpty()) {
      Path runtime = Path.of(runtimeDir);
      if (runtime.isAbsolute()
          && Files.isDirectory(runtime)
          && fits(runtime.resolve(name), port, host)
          && reachable(runtime, user)) {
        base = runtime;
      }
    }
    Path dir = base.toAbsolutePath().resolve(name);
    if (!fits(dir, port, host)) {
      throw new AmpdException(
          "socket path "
              + dir
              + "/.s.PGSQL."
              + port
              + " is longer than the "
              + host.maxSocketPathBytes()
              + " bytes the OS allows",
          "set java.io.tmpdir or XDG_RUNTIME_DIR to a shorter directory");
    }
    createPrivate(dir, host, user);
    return new SocketDir(dir, true);
  }

  static boolean fits(Path dir, int port, Host host) {
    String socket = dir + "/.s.PGSQL." + port;
    return socket.getBytes(StandardCharsets.UTF_8).length <= host.maxSocketPathBytes();
  }

  private static boolean reachable(Path dir, OsUser user) {
    try {
      user.checkCanReach(dir.resolve("x"));
      return true;
    } catch (AmpdException e) {
      return false;
    }
  }

  private static void createPrivate(Path dir, Host host, OsUser user) throws IOException {
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      user.chown(dir);
      return;
    } catch (FileAlreadyExistsException e) {
      // Check it below.
    }
    int owner = user.effectiveUid(host.euid());
    boolean ok =
        Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
            && (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS) == owner
            && ((Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777)
                == 0700;
    if (!ok) {
      throw new AmpdException(
          "socket dir "
              + dir
              + " exists but is not a directory owned by uid "
              + owner
              + " with mode 0700",
          "remove " + dir + " (ampd creates it privately), then start again");
    }
  }

  static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Removes the fallback dir; the data dir is left alone. */
  void cleanUp() throws IOException {
    if (fallback) {
      FileTrees.deleteRecursively(dir);
    }
  }
}
