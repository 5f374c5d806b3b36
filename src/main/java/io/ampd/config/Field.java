package io.ampd.config;

import java.nio.file.Path;

/**
 * One value being read: which key, from where ({@code /x/config.toml} or {@code AMP_CONFIG_…}), and
 * the folder relative paths resolve against. Builds the error messages so they all read the same:
 * {@code invalid value for <key> in <origin>: <reason>}.
 */
record Field(String key, String origin, Path baseDir) {

  Field entry(String name) {
    return new Field(key + "." + name, origin, baseDir);
  }

  /** With the key's documentation as the hint. */
  ConfigException invalid(String reason) {
    return invalid(reason, ConfigKey.byName(key).map(k -> key + ": " + k.doc()).orElse(null));
  }

  ConfigException invalid(String reason, String hint) {
    return new ConfigException("invalid value for " + key + " in " + origin + ": " + reason, hint);
  }
}
