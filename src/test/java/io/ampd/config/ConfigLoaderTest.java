package io.ampd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String toml) throws IOException {
    Path file = dir.resolve("conf").resolve("config.toml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, toml);
    return file;
  }

  private AmpConfig load(Path file, Map<String, String> env, boolean solo) {
    return ConfigLoader.load(Optional.ofNullable(file), dir.resolve("amp"), env, solo);
  }

  private ConfigException error(String toml, Map<String, String> env, boolean solo)
      throws IOException {
    Path file = toml == null ? null : write(toml);
    return assertThrows(ConfigException.class, () -> load(file, env, solo));
  }

  private ConfigException error(String toml) throws IOException {
    return error(toml, Map.of(), false);
  }

  private String fileName() {
    return dir.resolve("conf").resolve("config.toml").toString();
  }

  // ---- defaults

  @Test
  void soloDefaultsWithoutFile() {
    AmpConfig c = load(null, Map.of(), true);
    Path amp = dir.resolve("amp");
    assertEquals(Optional.empty(), c.file());
    assertEquals(amp.resolve("data"), c.dataDir());
    assertEquals(amp.resolve("providers"), c.providersDir());
    assertEquals(amp.resolve("manifests"), c.manifestsDir());
    assertEquals(new HostPort("127.0.0.1", 1610), c.adminApiAddr());
    assertEquals(new HostPort("127.0.0.1", 1603), c.jsonlAddr());
    MetadataDbConfig db = c.metadataDb();
    assertEquals(Optional.empty(), db.url());
    assertEquals(10, db.poolSize());
    assertTrue(db.autoMigrate());
    ManagedPostgresConfig m = db.managed();
    assertEquals(Optional.empty(), m.binDir());
    assertEquals(Optional.empty(), m.osUser());
    assertEquals(Map.of(), m.serverSettings());
    assertEquals(Duration.ofSeconds(60), m.startTimeout());
    assertEquals(Duration.ofSeconds(10), m.stopTimeout());
  }

  @Test
  void nonSoloDefaults() throws IOException {
    AmpConfig c = load(write("[metadata_db]\nurl = \"postgresql://db/amp\"\n"), Map.of(), false);
    assertFalse(c.metadataDb().autoMigrate());
    assertEquals(Optional.of("db"), c.metadataDb().url().orElseThrow().host());
    assertEquals(dir.resolve("conf").resolve("data"), c.dataDir());
  }

  @Test
  void nonSoloRequiresUrl() throws IOException {
    ConfigException e = error("data_dir = \"d\"\n");
    assertEquals("metadata_db.url is not set", e.getMessage());
    assertEquals(
        "set [metadata_db] url in the config file, or"
            + " AMP_CONFIG_METADATA_DB__URL=postgresql://user:password@host:5432/amp",
        e.hint());
    assertEquals(
        "metadata_db.url is not set",
        assertThrows(ConfigException.class, () -> load(null, Map.of(), false)).getMessage());
  }

  @Test
  void soloAcceptsExternalUrl() {
    AmpConfig c =
        load(null, Map.of("AMP_CONFIG_METADATA_DB__URL", "postgresql://u:pw@db/amp"), true);
    assertEquals("postgresql://u:***@db/amp", c.metadataDb().url().orElseThrow().redacted());
    assertTrue(c.metadataDb().autoMigrate());
  }

  // ---- precedence env > file > defaults

  @Test
  void fileOverridesDefaults() throws IOException {
    Path file =
        write(
            "data_dir = \"/srv/amp/data\"\n"
                + "admin_api_addr = \"0.0.0.0:9000\"\n"
                + "[metadata_db]\n"
                + "url = \"postgresql://db/amp\"\n"
                + "pool_size = 3\n"
                + "auto_migrate = true\n"
                + "[metadata_db.managed]\n"
                + "bin_dir = \"bundled\"\n"
                + "os_user = \"pg\"\n"
                + "start_timeout_secs = 5\n"
                + "stop_timeout_secs = 2\n"
                + "[metadata_db.managed.server_settings]\n"
                + "work_mem = \"64MB\"\n"
                + "max_connections = 50\n"
                + "fsync = false\n"
                + "random_page_cost = 1.5\n");
    AmpConfig c = load(file, Map.of(), false);
    assertEquals(Optional.of(file), c.file());
    assertEquals(Path.of("/srv/amp/data"), c.dataDir());
    assertEquals(new HostPort("0.0.0.0", 9000), c.adminApiAddr());
    assertEquals(3, c.metadataDb().poolSize());
    assertTrue(c.metadataDb().autoMigrate());
    ManagedPostgresConfig m = c.metadataDb().managed();
    assertEquals(Optional.of("bundled"), m.binDir());
    assertEquals(Optional.of("pg"), m.osUser());
    assertEquals(Duration.ofSeconds(5), m.startTimeout());
    assertEquals(Duration.ofSeconds(2), m.stopTimeout());
    assertEquals(
        Map.of(
            "work_mem", "64MB",
            "max_connections", "50",
            "fsync", "false",
            "random_page_cost", "1.5"),
        m.serverSettings());
  }

  @Test
  void envOverridesFileForEveryKind() throws IOException {
    Path file =
        write(
            "data_dir = \"d1\"\n"
                + "jsonl_addr = \"127.0.0.1:1\"\n"
                + "[metadata_db]\n"
                + "url = \"postgresql://file/amp\"\n"
                + "pool_size = 3\n"
                + "auto_migrate = false\n"
                + "[metadata_db.managed]\n"
                + "bin_dir = \"bin\"\n"
                + "[metadata_db.managed.server_settings]\n"
                + "work_mem = \"1MB\"\n"
                + "shared_buffers = \"16MB\"\n");
    Map<String, String> env =
        Map.of(
            "AMP_CONFIG_DATA_DIR", "d2",
            "AMP_CONFIG_JSONL_ADDR", "[::1]:2",
            "AMP_CONFIG_METADATA_DB__URL", "postgresql://env/amp",
            "AMP_CONFIG_METADATA_DB__POOL_SIZE", "20",
            "AMP_CONFIG_METADATA_DB__AUTO_MIGRATE", "TRUE",
            "AMP_CONFIG_METADATA_DB__MANAGED__BIN_DIR", "/opt/pg/bin",
            "AMP_CONFIG_METADATA_DB__MANAGED__SERVER_SETTINGS__WORK_MEM", "64MB",
            "AMP_CONFIG_metadata_db__managed__server_settings__Effective_Cache_Size", "1GB");
    AmpConfig c = load(file, env, false);
    assertEquals(dir.resolve("conf").resolve("d2"), c.dataDir());
    assertEquals(new HostPort("::1", 2), c.jsonlAddr());
    assertEquals(Optional.of("env"), c.metadataDb().url().orElseThrow().host());
    assertEquals(20, c.metadataDb().poolSize());
    assertTrue(c.metadataDb().autoMigrate());
    assertEquals(Optional.of("/opt/pg/bin"), c.metadataDb().managed().binDir());
    assertEquals(
        Map.of("work_mem", "64MB", "shared_buffers", "16MB", "effective_cache_size", "1GB"),
        c.metadataDb().managed().serverSettings());
  }

  @Test
  void envOverridesDefaultsWithoutFile() {
    AmpConfig c =
        load(null, Map.of("AMP_CONFIG_METADATA_DB__MANAGED__START_TIMEOUT_SECS", "7"), true);
    assertEquals(Duration.ofSeconds(7), c.metadataDb().managed().startTimeout());
  }

  @Test
  void otherAmpVariablesAreIgnored() {
    Map<String, String> env =
        Map.of(
            "AMP_CONFIG", "/nowhere/config.toml",
            "AMP_DIR", "/x",
            "AMP_LOG", "debug",
            "AMP_NODE_ID", "w1",
            "AMP_CONFIGURATION", "x",
            "amp_config_data_dir", "lowercase prefix is not ours");
    assertEquals(dir.resolve("amp").resolve("data"), load(null, env, true).dataDir());
  }

  // ---- paths

  @Test
  void relativePathsResolveAgainstTheFileFolder() throws IOException {
    Path file =
        write(
            "data_dir = \"../common/./data\"\n"
                + "providers_dir = \"p\"\n"
                + "[metadata_db.managed]\nbin_dir = \"pg/bin\"\n");
    AmpConfig c = load(file, Map.of(), true);
    assertEquals(dir.resolve("common").resolve("data"), c.dataDir());
    assertEquals(dir.resolve("conf").resolve("p"), c.providersDir());
    assertEquals(
        Optional.of(dir.resolve("conf/pg/bin").toString()), c.metadataDb().managed().binDir());
    assertTrue(c.dataDir().isAbsolute());
  }

  @Test
  void relativePathsWithoutFileResolveAgainstTheAmpDir() {
    AmpConfig c = load(null, Map.of("AMP_CONFIG_MANIFESTS_DIR", "m/../mm"), true);
    assertEquals(dir.resolve("amp").resolve("mm"), c.manifestsDir());
  }

  @Test
  void relativeFileAndAmpDirBecomeAbsolute() {
    AmpConfig c = ConfigLoader.load(Optional.empty(), Path.of(".amp"), Map.of(), true);
    assertEquals(Path.of("").toAbsolutePath().resolve(".amp").resolve("data"), c.dataDir());
  }

  // ---- errors

  @Test
  void unknownKey() throws IOException {
    ConfigException e = error("[metadata_db]\npool = 3\n");
    assertEquals("unknown configuration key 'metadata_db.pool' in " + fileName(), e.getMessage());
    assertEquals(
        "known keys in [metadata_db]: url, pool_size, auto_migrate, network_timeout_secs,"
            + " managed (see .amp.example/config.toml)",
        e.hint());
  }

  @Test
  void unknownTopLevelKey() throws IOException {
    ConfigException e = error("datadir = \"x\"\n");
    assertEquals("unknown configuration key 'datadir' in " + fileName(), e.getMessage());
    assertEquals(
        "known top-level keys: data_dir, providers_dir, manifests_dir, admin_api_addr,"
            + " flight_addr, jsonl_addr, metadata_db, controller, worker, server (see"
            + " .amp.example/config.toml)",
        e.hint());
  }

  @Test
  void wrongType() throws IOException {
    assertEquals(
        "invalid value for metadata_db.pool_size in "
            + fileName()
            + ": \"ten\" is a string, expected an integer",
        error("[metadata_db]\npool_size = \"ten\"\n").getMessage());
    assertEquals(
        "invalid value for metadata_db.pool_size in "
            + fileName()
            + ": 2.5 is a float, expected an integer",
        error("[metadata_db]\npool_size = 2.5\n").getMessage());
    assertEquals(
        "invalid value for metadata_db.auto_migrate in "
            + fileName()
            + ": \"yes\" is a string, expected a boolean (true or false)",
        error("[metadata_db]\nauto_migrate = \"yes\"\n").getMessage());
    assertEquals(
        "invalid value for data_dir in "
            + fileName()
            + ": 5 is an integer, expected a string"
            + " (a path)",
        error("data_dir = 5\n").getMessage());
    assertEquals(
        "invalid value for metadata_db in " + fileName() + ": 1 is an integer, expected a table",
        error("metadata_db = 1\n").getMessage());
  }

  @Test
  void typeErrorsHintWithTheKeyDoc() throws IOException {
    assertEquals(
        "metadata_db.pool_size: Maximum connections in the pool (HikariCP maximumPoolSize),"
            + " 1 to 1000.",
        error("[metadata_db]\npool_size = 0\n").hint());
  }

  @Test
  void outOfRange() throws IOException {
    assertEquals(
        "invalid value for metadata_db.pool_size in "
            + fileName()
            + ": 0 is out of range (must be at least 1)",
        error("[metadata_db]\npool_size = 0\n").getMessage());
    assertEquals(
        "invalid value for metadata_db.pool_size in "
            + fileName()
            + ": 1001 is out of range (must be at most 1000)",
        error("[metadata_db]\npool_size = 1001\n").getMessage());
    assertEquals(
        "invalid value for metadata_db.managed.stop_timeout_secs in "
            + fileName()
            + ": 99999999999999999999 is out of range (must be at most 600)",
        error("[metadata_db.managed]\nstop_timeout_secs = 99999999999999999999\n").getMessage());
  }

  @Test
  void envErrorsNameTheVariable() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load(null, Map.of("AMP_CONFIG_METADATA_DB__POOL_SIZE", "ten"), true));
    assertEquals(
        "invalid value for metadata_db.pool_size in AMP_CONFIG_METADATA_DB__POOL_SIZE:"
            + " \"ten\" is not an integer",
        e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> load(null, Map.of("AMP_CONFIG_METADATA_DB__AUTO_MIGRATE", "yes"), true));
    assertEquals(
        "invalid value for metadata_db.auto_migrate in AMP_CONFIG_METADATA_DB__AUTO_MIGRATE:"
            + " \"yes\" is not a boolean (true or false)",
        e.getMessage());
  }

  @Test
  void invalidUrlFromEnv() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    null,
                    Map.of("AMP_CONFIG_METADATA_DB__URL", "postgresql://u:pw@db:notaport/amp"),
                    false));
    assertEquals(
        "invalid value for metadata_db.url in AMP_CONFIG_METADATA_DB__URL:"
            + " 'postgresql://u:***@db:notaport/amp' is not a valid PostgreSQL URL:"
            + " port 'notaport' is not a number",
        e.getMessage());
    assertEquals(
        "expected postgresql://[user[:password]@][host][:port][/db][?param=value&...]", e.hint());
  }

  @Test
  void invalidUrlFromFile() throws IOException {
    ConfigException e = error("[metadata_db]\nurl = \"postgresql://db/amp?foo=1\"\n");
    assertEquals(
        "invalid value for metadata_db.url in "
            + fileName()
            + ": 'postgresql://db/amp?foo=1' is not a valid PostgreSQL URL: unknown parameter"
            + " 'foo'",
        e.getMessage());
  }

  @Test
  void unknownVariable() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load(null, Map.of("AMP_CONFIG_METADATA_DB__POOL", "3"), true));
    assertEquals(
        "unknown configuration variable AMP_CONFIG_METADATA_DB__POOL:"
            + " there is no key 'metadata_db.pool'",
        e.getMessage());
    assertEquals(
        "AMP_CONFIG_<KEY> names a key, with __ for each level of nesting"
            + " (AMP_CONFIG_METADATA_DB__POOL_SIZE); known keys in [metadata_db]: url,"
            + " pool_size, auto_migrate, network_timeout_secs, managed (see"
            + " .amp.example/config.toml)",
        e.hint());
  }

  @Test
  void variableNamingATable() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> load(null, Map.of("AMP_CONFIG_METADATA_DB", "x"), true));
    assertEquals(
        "unknown configuration variable AMP_CONFIG_METADATA_DB: [metadata_db] is a table, not a"
            + " key",
        e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    null,
                    Map.of("AMP_CONFIG_METADATA_DB__MANAGED__SERVER_SETTINGS", "work_mem=1MB"),
                    true));
    assertEquals(
        "invalid value for metadata_db.managed.server_settings in"
            + " AMP_CONFIG_METADATA_DB__MANAGED__SERVER_SETTINGS: a table cannot be set as a whole"
            + " from the environment",
        e.getMessage());
  }

  @Test
  void invalidAddress() throws IOException {
    Path f = write("admin_api_addr = \"abc\"\n");
    ConfigException e = assertThrows(ConfigException.class, () -> load(f, Map.of(), true));
    assertEquals(
        "invalid value for admin_api_addr in " + fileName() + ": \"abc\" is not host:port",
        e.getMessage());
    for (String bad : new String[] {":1610", "h:", "h:x", "::1:1610", "[::1]", "a b:1"}) {
      assertThrows(
          ConfigException.class, () -> load(null, Map.of("AMP_CONFIG_JSONL_ADDR", bad), true), bad);
    }
    assertEquals(
        "invalid value for jsonl_addr in AMP_CONFIG_JSONL_ADDR: \"h:70000\" has port 70000,"
            + " which is out of range (must be 1 to 65535)",
        assertThrows(
                ConfigException.class,
                () -> load(null, Map.of("AMP_CONFIG_JSONL_ADDR", "h:70000"), true))
            .getMessage());
  }

  @Test
  void tomlSyntaxError() throws IOException {
    ConfigException e = error("data_dir = \"x\"\n[metadata_db]\npool_size = \n");
    assertEquals(
        "cannot parse " + fileName() + ": newline not permitted here (line 3)", e.getMessage());
    assertFalse(e.getMessage().contains("Source"));
    assertEquals(
        "cannot parse " + fileName() + ": duplicate key (line 2)",
        error("a = 1\na = 2\n").getMessage());
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("nope.toml");
    ConfigException e = assertThrows(ConfigException.class, () -> load(missing, Map.of(), true));
    assertEquals("config file " + missing + " does not exist", e.getMessage());
  }

  @Test
  void fileIsADirectory() {
    ConfigException e = assertThrows(ConfigException.class, () -> load(dir, Map.of(), true));
    assertEquals("config file " + dir + " is a directory", e.getMessage());
  }

  @Test
  void emptyStringsAreRejected() throws IOException {
    assertEquals(
        "invalid value for metadata_db.managed.os_user in "
            + fileName()
            + ": \"\" is empty, expected a non-empty string",
        error("[metadata_db.managed]\nos_user = \"\"\n").getMessage());
    assertEquals(
        "invalid value for data_dir in " + fileName() + ": \"\" is empty, expected a path",
        error("data_dir = \"\"\n").getMessage());
  }

  // ---- server_settings

  @Test
  void serverSettingsRejectSoloOwnedNames() throws IOException {
    ConfigException e =
        error("[metadata_db.managed.server_settings]\nport = 5433\n", Map.of(), true);
    assertEquals(
        "invalid value for metadata_db.managed.server_settings.port in "
            + fileName()
            + ": port cannot be set: solo owns listen_addresses, port, unix_socket_directories,"
            + " unix_socket_permissions and data_directory",
        e.getMessage());
    for (String name :
        new String[] {
          "listen_addresses",
          "unix_socket_directories",
          "unix_socket_permissions",
          "data_directory",
          "Listen_Addresses"
        }) {
      assertThrows(
          ConfigException.class,
          () ->
              load(
                  write("[metadata_db.managed.server_settings]\n" + name + " = \"x\"\n"),
                  Map.of(),
                  true),
          name);
    }
    e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    null,
                    Map.of(
                        "AMP_CONFIG_METADATA_DB__MANAGED__SERVER_SETTINGS__LISTEN_ADDRESSES", "*"),
                    true));
    assertEquals(
        "invalid value for metadata_db.managed.server_settings.listen_addresses in"
            + " AMP_CONFIG_METADATA_DB__MANAGED__SERVER_SETTINGS__LISTEN_ADDRESSES:"
            + " listen_addresses cannot be set: solo owns listen_addresses, port,"
            + " unix_socket_directories, unix_socket_permissions and data_directory",
        e.getMessage());
  }

  @Test
  void serverSettingsValuesMustBeScalars() throws IOException {
    assertEquals(
        "invalid value for metadata_db.managed.server_settings.search_path in "
            + fileName()
            + ": [\"a\",\"b\"] is an array, expected a string, integer, float or boolean",
        error(
                "[metadata_db.managed.server_settings]\nsearch_path = [\"a\", \"b\"]\n",
                Map.of(),
                true)
            .getMessage());
    assertEquals(
        "invalid value for metadata_db.managed.server_settings in "
            + fileName()
            + ": \"x\" is a string, expected a table",
        error("[metadata_db.managed]\nserver_settings = \"x\"\n", Map.of(), true).getMessage());
  }

  @Test
  void serverSettingsAcceptCustomNames() throws IOException {
    AmpConfig c =
        load(
            write("[metadata_db.managed.server_settings]\n\"auto_explain.log_min_duration\" = 5\n"),
            Map.of(),
            true);
    assertEquals(
        Map.of("auto_explain.log_min_duration", "5"), c.metadataDb().managed().serverSettings());
  }
}
