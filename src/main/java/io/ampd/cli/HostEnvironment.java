package io.ampd.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The one place listing every environment variable ampd reads (besides {@code AMP_CONFIG_*}
 * overrides, which the config loader takes from {@link #variables()}).
 *
 * <ul>
 *   <li>{@code AMP_CONFIG}: config file path (as {@code --config})
 *   <li>{@code AMP_DIR}: amp dir (as {@code --amp-dir}), default {@code ./.amp}
 *   <li>{@code AMP_LOG}: log level: error, warn, info (default), debug, trace
 *   <li>{@code AMP_NODE_ID}: worker node id (as {@code --node-id})
 *   <li>{@code AMP_ADMIN_SERVER}, {@code AMP_FLIGHT_SERVER}, {@code AMP_JSONL_SERVER}: {@code true}
 *       or {@code 1} chooses that endpoint (as {@code --admin-server} and the like)
 *   <li>{@code PATH}, {@code HOME}, {@code XDG_CACHE_HOME}, {@code XDG_RUNTIME_DIR}: where to look
 *       for PostgreSQL binaries, caches and runtime dirs
 * </ul>
 */
public record HostEnvironment(Map<String, String> variables) {
  public HostEnvironment {
    variables = Map.copyOf(variables);
  }

  public Optional<String> get(String name) {
    String value = variables.get(name);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  public Optional<Path> configFile() {
    return get("AMP_CONFIG").map(Path::of);
  }

  public Optional<Path> ampDir() {
    return get("AMP_DIR").map(Path::of);
  }

  public Optional<String> logLevel() {
    return get("AMP_LOG");
  }

  public Optional<String> nodeId() {
    return get("AMP_NODE_ID");
  }
}
