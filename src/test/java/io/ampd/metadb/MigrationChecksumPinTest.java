package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Released migrations are never edited: a database that applied one would refuse this ampd with a
 * checksum mismatch. This pins the SHA-256 of every released file; a new migration gets a new file
 * and a new line here, an old line never changes. The one exception, a comment reworded in V1, is
 * {@link #BEFORE_REWORDING} and {@code SchemaHistory.REWORDED}: MigrationsTest migrates a database
 * with the released file and then with this one. It also checks that versions run 1, 2, 3, ... and
 * that {@link Migrations#LATEST_VERSION} is the last of them.
 */
class MigrationChecksumPinTest {
  private static final Map<String, String> RELEASED =
      Map.of(
          "V1__initial_schema.sql",
          "8537a0e4d669a077a5e3b40b68cd3933941aa7e5a798ed2cc3e14b633b1fa862",
          "V2__job_scheduling.sql",
          "daf56f71fb55b334ce0354ba54db956669e3ace5d474720b7abe85654f21e594",
          "V3__progress_block_hash.sql",
          "19ccde9cbd37d3a9ef4be5d434a3328e4adc6011fec83d94caa3633313ffcbb7",
          "V4__live_progress.sql",
          "8d3d2284d1af9da2a70c708d297bef8928dbe0bb24b559ec2b2308a4eaa66501",
          "V5__table_schema_version.sql",
          "08f696f65a93df496a61cd6eac7532bf21c76aa6084f86bc91a1b777709491d6");

  /**
   * Files as released, before a comment was reworded ({@code SchemaHistory.REWORDED}, which lets
   * databases that applied them pass Flyway's validation). Never edited either.
   */
  static final Map<String, String> BEFORE_REWORDING =
      Map.of(
          "V1__initial_schema.sql",
          "256e8aa9dda6e3cc42f7f21e47d560cbcc7d581e3cc459b2de7d1ef2cc0d7997");

  private static final Pattern NAME = Pattern.compile("V(\\d+)__([a-z0-9_]+)\\.sql");

  @Test
  void releasedMigrationsAreNeverEdited() throws Exception {
    Map<String, String> files = migrationFiles();
    for (Map.Entry<String, String> released : RELEASED.entrySet()) {
      String name = released.getKey();
      assertEquals(
          released.getValue(),
          files.get(name),
          "db/migration/"
              + name
              + " differs from the released file: released migrations must"
              + " never be edited (databases that applied it would refuse this ampd with a"
              + " checksum mismatch); restore it and put the change in a new migration");
    }
  }

  @Test
  void everyMigrationIsPinnedAndVersionsAreSequential() throws Exception {
    Map<String, String> files = migrationFiles();
    assertEquals(
        new TreeMap<>(RELEASED).keySet(),
        files.keySet(),
        "every file in db/migration must be pinned here once released, and only those");
    TreeMap<Integer, String> versions = new TreeMap<>();
    for (String name : files.keySet()) {
      Matcher m = NAME.matcher(name);
      assertEquals(true, m.matches(), name + " must be named V<n>__<lower_snake_name>.sql");
      assertEquals(null, versions.put(Integer.parseInt(m.group(1)), name), "duplicate " + name);
    }
    List<Integer> expected = Stream.iterate(1, v -> v + 1).limit(versions.size()).toList();
    assertEquals(expected, List.copyOf(versions.keySet()), "versions must be 1, 2, 3, ...");
    assertEquals(
        versions.lastKey(),
        Migrations.LATEST_VERSION,
        "Migrations.LATEST_VERSION must be the highest migration version");
  }

  private static Map<String, String> migrationFiles()
      throws IOException, URISyntaxException, NoSuchAlgorithmException {
    Path dir = Path.of(Migrations.class.getClassLoader().getResource("db/migration").toURI());
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : list.toList()) {
        files.put(file.getFileName().toString(), sha256(file));
      }
    }
    return files;
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in.readAllBytes());
    }
  }

  static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
