package io.ampd.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Loads TOML, applies {@code AMP_CONFIG_*} environment overrides, validates.
 *
 * <p>STUB: signature agreed; implementation pending.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * @param file the config file, if any (must exist when given)
   * @param ampDir the amp dir (base for relative paths when there is no file)
   * @param env the environment ({@code System.getenv()} in production)
   * @param solo true for {@code ampd solo}: URL optional, auto_migrate defaults to true
   */
  public static AmpConfig load(
      Optional<Path> file, Path ampDir, Map<String, String> env, boolean solo) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
