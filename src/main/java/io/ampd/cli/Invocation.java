package io.ampd.cli;

import io.ampd.config.AmpConfig;
import io.ampd.config.ConfigLoader;
import io.ampd.core.AmpdException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a command runs with, once the global options, the environment and the config file are
 * resolved: option beats environment beats default, and the config is validated.
 *
 * @param command the command's name, for messages
 * @param configFile the config file, if any
 * @param ampDir the amp dir, absolute
 * @param config the validated configuration
 */
public record Invocation(String command, Optional<Path> configFile, Path ampDir, AmpConfig config) {

  static Invocation of(
      CliContext context, GlobalOptions top, GlobalOptions sub, boolean solo, String command) {
    boolean verbose = top.verbose() || sub.verbose();
    Logging.setLevel(verbose, context.env().logLevel().orElse(null));

    Path ampDir =
        first(sub.ampDir(), top.ampDir())
            .or(() -> context.env().ampDir())
            .orElse(Path.of(".amp"))
            .toAbsolutePath()
            .normalize();
    Optional<Path> configFile =
        first(sub.config(), top.config()).or(() -> context.env().configFile());
    if (configFile.isEmpty() && solo) {
      Path candidate = ampDir.resolve("config.toml");
      if (Files.isRegularFile(candidate)) {
        configFile = Optional.of(candidate);
      }
    }
    if (configFile.isEmpty() && !solo) {
      throw new AmpdException(
          "ampd " + command + " needs a config file",
          "pass --config PATH or set AMP_CONFIG=PATH (example: .amp.example/config.toml)");
    }
    configFile = configFile.map(p -> p.toAbsolutePath().normalize());
    AmpConfig config = ConfigLoader.load(configFile, ampDir, context.env().variables(), solo);
    return new Invocation(command, configFile, ampDir, config);
  }

  private static Optional<Path> first(Path a, Path b) {
    return Optional.ofNullable(a != null ? a : b);
  }

  /** How to name the config in hints: the file, or the amp dir's default place. */
  public String configHint() {
    return configFile.map(Path::toString).orElse(ampDir.resolve("config.toml").toString());
  }
}
