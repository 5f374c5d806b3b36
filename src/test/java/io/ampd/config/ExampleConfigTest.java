package io.ampd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .amp.example/config.toml} documents every key with its default: as shipped (all commented)
 * it loads; with its {@code # key = value} lines uncommented it loads too and gives the registry's
 * defaults.
 */
class ExampleConfigTest {
  private static final Path EXAMPLE = Path.of(".amp.example", "config.toml");
  private static final Pattern TABLE = Pattern.compile("^# \\[([a-z_.]+)\\]$");
  private static final Pattern KEY = Pattern.compile("^# ([a-z_]+) = .*$");

  @TempDir Path dir;

  private String example() throws IOException {
    return Files.readString(EXAMPLE);
  }

  /** Uncomments table headers and key lines, leaving prose comments alone. */
  private String uncommented() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String line : example().split("\n", -1)) {
      boolean code = TABLE.matcher(line).matches() || KEY.matcher(line).matches();
      sb.append(code ? line.substring(2) : line).append('\n');
    }
    return sb.toString();
  }

  @Test
  void loadsAsShipped() throws IOException {
    AmpConfig c = ConfigLoader.load(Optional.of(EXAMPLE), dir, Map.of(), true);
    AmpConfig defaults =
        ConfigLoader.load(Optional.empty(), EXAMPLE.toAbsolutePath().getParent(), Map.of(), true);
    assertEquals(defaults.metadataDb(), c.metadataDb());
    assertEquals(defaults.dataDir(), c.dataDir());
  }

  @Test
  void everyKeyIsDocumentedInItsTable() throws IOException {
    Set<String> documented = new HashSet<>();
    String table = "";
    for (String line : example().split("\n")) {
      Matcher t = TABLE.matcher(line);
      Matcher k = KEY.matcher(line);
      if (t.matches()) {
        table = t.group(1);
      } else if (k.matches()) {
        documented.add(table.isEmpty() ? k.group(1) : table + "." + k.group(1));
      }
    }
    for (ConfigKey<?> key : ConfigKey.all()) {
      if (key == ConfigKey.MANAGED_SERVER_SETTINGS) {
        assertTrue(example().contains("# [" + key.name() + "]"), key.name());
      } else {
        assertTrue(documented.contains(key.name()), key.name() + " is not in " + EXAMPLE);
      }
    }
  }

  @Test
  void documentedDefaultsAreTheDefaults() throws IOException {
    String text = example();
    for (ConfigKey<?> key : ConfigKey.all()) {
      Optional<String> d = key.defaultToml(false);
      if (d.isPresent() && key != ConfigKey.MANAGED_SERVER_SETTINGS) {
        String leaf = key.name().substring(key.name().lastIndexOf('.') + 1);
        assertTrue(text.contains("# " + leaf + " = " + d.get() + "\n"), key.name());
      }
    }
  }

  @Test
  void loadsUncommented() throws IOException {
    Path file = Files.writeString(dir.resolve("config.toml"), uncommented());
    AmpConfig c = ConfigLoader.load(Optional.of(file), dir, Map.of(), false);
    assertEquals(dir.resolve("data"), c.dataDir());
    assertEquals(dir.resolve("providers"), c.providersDir());
    assertEquals(dir.resolve("manifests"), c.manifestsDir());
    assertEquals(new HostPort("127.0.0.1", 1610), c.adminApiAddr());
    assertEquals(new HostPort("127.0.0.1", 1603), c.jsonlAddr());
    MetadataDbConfig db = c.metadataDb();
    assertEquals("postgresql://user:***@localhost:5432/amp", db.url().orElseThrow().redacted());
    assertEquals(10, db.poolSize());
    assertEquals(Duration.ofSeconds(30), db.networkTimeout());
    assertFalse(db.autoMigrate());
    ManagedPostgresConfig m = db.managed();
    assertEquals(Optional.of("/usr/lib/postgresql/16/bin"), m.binDir());
    assertEquals(Optional.of("postgres"), m.osUser());
    assertEquals(Duration.ofSeconds(60), m.startTimeout());
    assertEquals(Duration.ofSeconds(10), m.stopTimeout());
    assertEquals(Map.of("work_mem", "64MB", "synchronous_commit", "off"), m.serverSettings());
  }
}
