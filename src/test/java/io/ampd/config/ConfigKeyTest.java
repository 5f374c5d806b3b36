package io.ampd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {
  @Test
  void envVarNames() {
    assertEquals("AMP_CONFIG_METADATA_DB__URL", ConfigKey.METADATA_DB_URL.envVar());
    assertEquals("AMP_CONFIG_DATA_DIR", ConfigKey.DATA_DIR.envVar());
    assertEquals(
        "AMP_CONFIG_METADATA_DB__MANAGED__START_TIMEOUT_SECS",
        ConfigKey.MANAGED_START_TIMEOUT_SECS.envVar());
  }

  @Test
  void namesAreUniqueSnakeCaseAndDocumented() {
    Set<String> env = new HashSet<>();
    for (ConfigKey<?> key : ConfigKey.all()) {
      assertTrue(key.name().matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*"), key.name());
      assertFalse(key.name().contains("__"), key.name());
      assertTrue(env.add(key.envVar()), key.envVar());
      assertFalse(key.doc().isBlank(), key.name());
      assertEquals(Optional.of(key), ConfigKey.byName(key.name()));
    }
  }

  @Test
  void soloDefaults() {
    assertEquals(Optional.of("false"), ConfigKey.METADATA_DB_AUTO_MIGRATE.defaultToml(false));
    assertEquals(Optional.of("true"), ConfigKey.METADATA_DB_AUTO_MIGRATE.defaultToml(true));
    assertEquals(Optional.empty(), ConfigKey.METADATA_DB_URL.defaultToml(true));
    assertEquals(Optional.of("\"data\""), ConfigKey.DATA_DIR.defaultToml(true));
    assertEquals(Optional.of("{}"), ConfigKey.MANAGED_SERVER_SETTINGS.defaultToml(false));
  }

  @Test
  void tablesFollowFromNames() {
    assertEquals(
        List.of(
            "data_dir",
            "providers_dir",
            "manifests_dir",
            "admin_api_addr",
            "flight_addr",
            "jsonl_addr",
            "metadata_db",
            "controller",
            "worker",
            "server"),
        List.copyOf(ConfigKey.children("")));
    assertEquals(
        List.of("bin_dir", "os_user", "start_timeout_secs", "stop_timeout_secs", "server_settings"),
        List.copyOf(ConfigKey.children("metadata_db.managed")));
    assertTrue(ConfigKey.isTable("metadata_db"));
    assertTrue(ConfigKey.isTable("metadata_db.managed"));
    assertFalse(ConfigKey.isTable("metadata_db.managed.server_settings"));
    assertFalse(ConfigKey.isTable("data_dir"));
  }
}
