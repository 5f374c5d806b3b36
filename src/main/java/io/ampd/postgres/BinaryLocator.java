package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the PostgreSQL binaries (docs/design.md "Managed PostgreSQL" 3): the configured bin dir;
 * else {@code initdb} and {@code postgres} on PATH; else well-known install dirs; else the bundled
 * binaries. An existing cluster needs binaries of its own major version: the first candidate of
 * that major wins. Versions come from one {@code postgres -V} per candidate looked at (usually
 * one), or from the bundled cache marker.
 */
final class BinaryLocator {
  /** How long {@code postgres -V} may take. */
  private static final Duration VERSION_WAIT = Duration.ofSeconds(10);

  static final String BUNDLED = "bundled";
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+(?:\\.\\d+)*)");

  private final PostgresSettings settings;
  private final BundledBinaries bundled;

  BinaryLocator(PostgresSettings settings, BundledBinaries bundled) {
    this.settings = settings;
    this.bundled = bundled;
  }

  /** A place binaries may be: a bin dir, or the bundled archive. */
  private record Candidate(Path dir, String source) {
    boolean isBundled() {
      return dir == null;
    }
  }

  /**
   * The binaries to run a cluster with; {@code clusterMajor} is the content of {@code PG_VERSION}
   * when the cluster exists.
   */
  Binaries locate(Optional<String> clusterMajor) {
    List<Candidate> candidates = candidates();
    List<String> found = new ArrayList<>();
    for (Candidate c : candidates) {
      if (c.isBundled()) {
        String bundledVersion = bundled.version();
        if (clusterMajor.isEmpty() || Binaries.majorOf(bundledVersion).equals(clusterMajor.get())) {
          return bundled.extract(c.source);
        }
        found.add(bundledVersion + " (bundled)");
        continue;
      }
      String version = cachedVersion(c.dir.resolve("postgres"));
      if (clusterMajor.isEmpty() || Binaries.majorOf(version).equals(clusterMajor.get())) {
        return new Binaries(c.dir, version, c.source);
      }
      found.add(version + " (" + c.dir + ")");
    }
    String major = clusterMajor.orElseThrow();
    throw new AmpdException(
        "cluster "
            + settings.dataDir()
            + " is PostgreSQL "
            + major
            + " but no PostgreSQL "
            + major
            + " binaries were found; found: "
            + String.join(", ", found),
        "install PostgreSQL "
            + major
            + " and set metadata_db.managed.bin_dir to its bin"
            + " directory, or upgrade the cluster with pg_upgrade");
  }

  private List<Candidate> candidates() {
    Optional<String> configured = settings.binDir();
    if (configured.isPresent()) {
      if (configured.get().equals(BUNDLED)) {
        return List.of(new Candidate(null, "metadata_db.managed.bin_dir = bundled"));
      }
      Path dir = Path.of(configured.get()).toAbsolutePath();
      if (!hasBinaries(dir)) {
        throw new AmpdException(
            "metadata_db.managed.bin_dir "
                + dir
                + " does not hold executable initdb and"
                + " postgres",
            "set it to the bin directory of a PostgreSQL install (e.g."
                + " /usr/lib/postgresql/15/bin), or to 'bundled'");
      }
      return List.of(new Candidate(dir, "metadata_db.managed.bin_dir"));
    }
    Map<Path, Candidate> out = new LinkedHashMap<>();
    String path = settings.env().getOrDefault("PATH", "");
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        add(out, Path.of(entry), "found on PATH");
      }
    }
    for (Path dir : wellKnownDirs()) {
      add(out, dir, "well-known install dir");
    }
    List<Candidate> list = new ArrayList<>(out.values());
    list.add(new Candidate(null, "no PostgreSQL installed; using the bundled binaries"));
    return list;
  }

  private static void add(Map<Path, Candidate> out, Path dir, String source) {
    if (!hasBinaries(dir)) {
      return;
    }
    Path real = dir;
    try {
      // /usr/local/bin/postgres -> /usr/lib/postgresql/15/bin/postgres: use the real install.
      Path parent = dir.resolve("postgres").toRealPath().getParent();
      if (hasBinaries(parent)) {
        real = parent;
      }
    } catch (IOException e) {
      // keep dir
    }
    out.putIfAbsent(real, new Candidate(real, source));
  }

  private static boolean hasBinaries(Path dir) {
    return Files.isExecutable(dir.resolve("postgres")) && Files.isExecutable(dir.resolve("initdb"));
  }

  private List<Path> wellKnownDirs() {
    List<Path> dirs = new ArrayList<>();
    dirs.addAll(versioned(Path.of("/usr/lib/postgresql"), "", "bin"));
    dirs.addAll(versioned(Path.of("/usr"), "pgsql-", "bin"));
    dirs.addAll(versioned(Path.of("/opt/homebrew/opt"), "postgresql@", "bin"));
    dirs.addAll(versioned(Path.of("/usr/local/opt"), "postgresql@", "bin"));
    dirs.add(Path.of("/opt/homebrew/bin"));
    dirs.add(Path.of("/usr/local/bin"));
    dirs.addAll(versioned(Path.of("/Applications/Postgres.app/Contents/Versions"), "", "bin"));
    return dirs;
  }

  /** {@code parent/<prefix><version>/<sub>}, highest version first. */
  private static List<Path> versioned(Path parent, String prefix, String sub) {
    if (!Files.isDirectory(parent)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, prefix + "*")) {
      for (Path e : entries) {
        String v = e.getFileName().toString().substring(prefix.length());
        if (!v.isEmpty() && Character.isDigit(v.charAt(0))) {
          found.add(e);
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    found.sort(
        Comparator.comparing(
                (Path e) -> versionKey(e.getFileName().toString().substring(prefix.length())))
            .reversed());
    return found.stream().map(e -> e.resolve(sub)).toList();
  }

  private static VersionKey versionKey(String v) {
    return new VersionKey(v);
  }

  /** Orders "9.6" < "15" < "16.2" numerically. */
  private record VersionKey(String v) implements Comparable<VersionKey> {
    @Override
    public int compareTo(VersionKey o) {
      String[] a = v.split("[^0-9]+");
      String[] b = o.v.split("[^0-9]+");
      for (int i = 0; i < Math.max(a.length, b.length); i++) {
        long x = i < a.length && !a[i].isEmpty() ? Long.parseLong(a[i]) : 0;
        long y = i < b.length && !b[i].isEmpty() ? Long.parseLong(b[i]) : 0;
        if (x != y) {
          return Long.compare(x, y);
        }
      }
      return 0;
    }
  }

  private String cachedVersion(Path postgres) {
    Path root;
    try {
      root = bundled.cacheRoot();
    } catch (RuntimeException e) {
      return version(postgres);
    }
    return new VersionCache(root).version(postgres, BinaryLocator::version);
  }

  /** Runs {@code postgres -V}. */
  static String version(Path postgres) {
    String out;
    try {
      Process p = new ProcessBuilder(postgres.toString(), "-V").redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(VERSION_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      throw new AmpdException(
          "cannot run " + postgres + " -V: " + e.getMessage(),
          "check the PostgreSQL install, or set metadata_db.managed.bin_dir");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmpdException("interrupted while running " + postgres + " -V", null);
    }
    Matcher m = VERSION.matcher(out);
    if (!m.find()) {
      throw new AmpdException(
          postgres + " -V printed no PostgreSQL version: " + out,
          "check the PostgreSQL install, or set metadata_db.managed.bin_dir");
    }
    return m.group(1);
  }
}
