package io.ampd.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Loads TOML, applies {@code AMP_CONFIG_*} environment overrides, validates.
 *
 * <p>Each {@link ConfigKey} takes its value from the environment, else the file, else its default
 * (the solo default in solo). The entries of a table key ({@code server_settings}) are merged the
 * same way, entry by entry. Unknown keys and variables, wrong types and out-of-range values are
 * errors naming the key, the value, the rule and where the value came from.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  private static final String EXAMPLE = ".amp.example/config.toml";

  /** A raw value and where it came from. */
  private record Raw(JsonNode toml, String env, String origin) {}

  /**
   * @param file the config file, if any (must exist when given)
   * @param ampDir the amp dir (base for relative paths when there is no file)
   * @param env the environment ({@code System.getenv()} in production)
   * @param solo true for {@code ampd solo}: URL optional, auto_migrate defaults to true
   */
  public static AmpConfig load(
      Optional<Path> file, Path ampDir, Map<String, String> env, boolean solo) {
    Optional<Path> absFile = file.map(f -> f.toAbsolutePath().normalize());
    Path baseDir =
        absFile.map(Path::getParent).orElseGet(() -> ampDir.toAbsolutePath().normalize());

    Map<ConfigKey<?>, Raw> raw = new LinkedHashMap<>();
    Map<String, Raw> settings = new LinkedHashMap<>();
    if (absFile.isPresent()) {
      ObjectNode root = TomlFile.read(absFile.get());
      collectFile(root, "", absFile.get().toString(), raw);
    }
    collectEnv(env, raw, settings);

    Values values = new Values(raw, settings, baseDir, solo);
    Optional<PgUrl> url = values.optional(ConfigKey.METADATA_DB_URL);
    ManagedPostgresConfig managed =
        new ManagedPostgresConfig(
            values.optional(ConfigKey.MANAGED_BIN_DIR),
            values.optional(ConfigKey.MANAGED_OS_USER),
            values.serverSettings(),
            Duration.ofSeconds(values.get(ConfigKey.MANAGED_START_TIMEOUT_SECS)),
            Duration.ofSeconds(values.get(ConfigKey.MANAGED_STOP_TIMEOUT_SECS)));
    MetadataDbConfig metadataDb =
        new MetadataDbConfig(
            url,
            values.get(ConfigKey.METADATA_DB_POOL_SIZE),
            values.get(ConfigKey.METADATA_DB_AUTO_MIGRATE),
            Duration.ofSeconds(values.get(ConfigKey.METADATA_DB_NETWORK_TIMEOUT_SECS)),
            managed);
    AmpConfig config =
        new AmpConfig(
            absFile,
            values.get(ConfigKey.DATA_DIR),
            values.get(ConfigKey.PROVIDERS_DIR),
            values.get(ConfigKey.MANIFESTS_DIR),
            values.get(ConfigKey.ADMIN_API_ADDR),
            values.get(ConfigKey.FLIGHT_ADDR),
            values.get(ConfigKey.JSONL_ADDR),
            metadataDb,
            new ControllerConfig(
                Duration.ofSeconds(values.get(ConfigKey.CONTROLLER_WORKER_TIMEOUT_SECS)),
                Duration.ofMillis(values.get(ConfigKey.CONTROLLER_RETRY_INITIAL_BACKOFF_MS)),
                Duration.ofSeconds(values.get(ConfigKey.CONTROLLER_RETRY_MAX_BACKOFF_SECS))),
            new WorkerConfig(
                Duration.ofMillis(values.get(ConfigKey.WORKER_HEARTBEAT_INTERVAL_MS)),
                Duration.ofMillis(values.get(ConfigKey.WORKER_RECONCILE_INTERVAL_MS)),
                values.get(ConfigKey.WORKER_SEGMENT_BLOCKS),
                Duration.ofSeconds(values.get(ConfigKey.WORKER_PROGRESS_LOG_INTERVAL_SECS))),
            new ServerConfig(
                Duration.ofSeconds(values.get(ConfigKey.SERVER_QUERY_TIMEOUT_SECS)),
                values.get(ConfigKey.SERVER_MAX_MEM_MB),
                values.get(ConfigKey.SERVER_QUERY_MAX_MEM_MB),
                values.get(ConfigKey.SERVER_THREADS),
                values.get(ConfigKey.SERVER_MAX_CONCURRENT_QUERIES),
                values.get(ConfigKey.SERVER_SPILL_DIR)));
    // Checked last, so that a file with several problems reports the wrong values first.
    if (!solo && url.isEmpty()) {
      throw new ConfigException(
          "metadata_db.url is not set",
          "set [metadata_db] url in the config file, or "
              + ConfigKey.METADATA_DB_URL.envVar()
              + "=postgresql://user:password@host:5432/amp");
    }
    return config;
  }

  private static void collectFile(
      ObjectNode table, String prefix, String origin, Map<ConfigKey<?>, Raw> raw) {
    for (Map.Entry<String, JsonNode> e : table.properties()) {
      String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode value = e.getValue();
      Optional<ConfigKey<?>> key = ConfigKey.byName(name);
      if (key.isPresent()) {
        raw.put(key.get(), new Raw(value, null, origin));
      } else if (ConfigKey.isTable(name)) {
        if (!value.isObject()) {
          throw new Field(name, origin, null)
              .invalid(
                  ValueType.show(value) + " is " + ValueType.kind(value) + ", expected a table",
                  "write it as [" + name + "] followed by its keys");
        }
        collectFile((ObjectNode) value, name, origin, raw);
      } else {
        throw new ConfigException(
            "unknown configuration key '" + name + "' in " + origin, knownKeysHint(prefix));
      }
    }
  }

  private static void collectEnv(
      Map<String, String> env, Map<ConfigKey<?>, Raw> raw, Map<String, Raw> settings) {
    ConfigKey<Map<String, String>> table = ConfigKey.MANAGED_SERVER_SETTINGS;
    String tablePrefix = table.name() + ".";
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String var = e.getKey();
      if (!var.startsWith(ConfigKey.ENV_PREFIX)) {
        continue;
      }
      String name =
          var.substring(ConfigKey.ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace("__", ".");
      Optional<ConfigKey<?>> key = ConfigKey.byName(name);
      if (key.isPresent()) {
        raw.put(key.get(), new Raw(null, e.getValue(), var));
      } else if (name.startsWith(tablePrefix) && name.length() > tablePrefix.length()) {
        String entry = name.substring(tablePrefix.length());
        ScalarTableType type = (ScalarTableType) table.type();
        String checked = type.name(entry, new Field(table.name(), var, null));
        settings.put(checked, new Raw(null, e.getValue(), var));
      } else if (ConfigKey.isTable(name)) {
        throw new ConfigException(
            "unknown configuration variable " + var + ": [" + name + "] is a table, not a key",
            "set its keys one per variable, e.g. "
                + var
                + "__"
                + ConfigKey.children(name).iterator().next().toUpperCase(Locale.ROOT)
                + "; "
                + knownKeysHint(name));
      } else {
        int dot = name.lastIndexOf('.');
        String parent = dot < 0 ? "" : name.substring(0, dot);
        throw new ConfigException(
            "unknown configuration variable " + var + ": there is no key '" + name + "'",
            "AMP_CONFIG_<KEY> names a key, with __ for each level of nesting ("
                + ConfigKey.METADATA_DB_POOL_SIZE.envVar()
                + "); "
                + knownKeysHint(ConfigKey.isTable(parent) ? parent : ""));
      }
    }
  }

  private static String knownKeysHint(String table) {
    String where = table.isEmpty() ? "known top-level keys" : "known keys in [" + table + "]";
    return where + ": " + String.join(", ", ConfigKey.children(table)) + " (see " + EXAMPLE + ")";
  }

  /** Typed values, read on demand with the precedence env > file > default. */
  private static final class Values {
    private final Map<ConfigKey<?>, Raw> raw;
    private final Map<String, Raw> settingsFromEnv;
    private final Path baseDir;
    private final boolean solo;

    Values(
        Map<ConfigKey<?>, Raw> raw, Map<String, Raw> settingsFromEnv, Path baseDir, boolean solo) {
      this.raw = raw;
      this.settingsFromEnv = settingsFromEnv;
      this.baseDir = baseDir;
      this.solo = solo;
    }

    <T> T get(ConfigKey<T> key) {
      return optional(key).orElseThrow(() -> new IllegalStateException(key + " has no default"));
    }

    <T> Optional<T> optional(ConfigKey<T> key) {
      Raw r = raw.get(key);
      if (r == null) {
        return key.defaultNode(solo)
            .map(d -> key.type().fromToml(d, new Field(key.name(), "the defaults", baseDir)));
      }
      Field field = new Field(key.name(), r.origin(), baseDir);
      return Optional.of(
          r.env() != null
              ? key.type().fromEnv(r.env(), field)
              : key.type().fromToml(r.toml(), field));
    }

    Map<String, String> serverSettings() {
      Map<String, String> out = new LinkedHashMap<>(get(ConfigKey.MANAGED_SERVER_SETTINGS));
      settingsFromEnv.forEach((name, r) -> out.put(name, r.env()));
      return Collections.unmodifiableMap(out);
    }
  }
}
