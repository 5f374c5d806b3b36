package io.ampd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options every command accepts, before or after the command name ({@code ampd --config x migrate}
 * and {@code ampd migrate --config x} are the same): one set on {@code ampd}, one on each command.
 */
final class GlobalOptions {
  private final OptionSpec config;
  private final OptionSpec ampDir;
  private final OptionSpec verbose;

  private GlobalOptions(OptionSpec config, OptionSpec ampDir, OptionSpec verbose) {
    this.config = config;
    this.ampDir = ampDir;
    this.verbose = verbose;
  }

  /** Adds the options to {@code spec} and returns their values' handle. */
  static GlobalOptions addTo(CommandSpec spec) {
    GlobalOptions options =
        new GlobalOptions(
            OptionSpec.builder("--config")
                .paramLabel("PATH")
                .type(Path.class)
                .description(
                    "Config file (TOML). Also AMP_CONFIG. Optional for solo, required otherwise.")
                .build(),
            OptionSpec.builder("--amp-dir")
                .paramLabel("DIR")
                .type(Path.class)
                .description("The amp dir. Also AMP_DIR. Default: ./.amp")
                .build(),
            OptionSpec.builder("-v", "--verbose")
                .type(boolean.class)
                .description("Debug logging and stack traces on errors (also AMP_LOG=debug).")
                .build());
    spec.addOption(options.config).addOption(options.ampDir).addOption(options.verbose);
    return options;
  }

  Path config() {
    return config.getValue();
  }

  Path ampDir() {
    return ampDir.getValue();
  }

  boolean verbose() {
    Boolean value = verbose.getValue();
    return value != null && value;
  }
}
