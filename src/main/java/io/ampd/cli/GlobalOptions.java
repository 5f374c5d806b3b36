package io.ampd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options every command accepts, before or after the command name ({@code ampd --config x migrate}
 * and {@code ampd migrate --config x} are the same): a mixin of {@code ampd} and of each command,
 * the command's own given beats {@code ampd}'s. Built with picocli's programmatic model, like the
 * commands (see {@link AmpdCommand}); the help options come first, for the completion script.
 */
final class GlobalOptions {
  private final OptionSpec config =
      OptionSpec.builder("--config")
          .paramLabel("PATH")
          .type(Path.class)
          .description(
              "Config file (TOML). Also AMP_CONFIG. Optional for solo, required otherwise.")
          .build();

  private final OptionSpec ampDir =
      OptionSpec.builder("--amp-dir")
          .paramLabel("DIR")
          .type(Path.class)
          .description("The amp dir. Also AMP_DIR. Default: ./.amp")
          .build();

  private final OptionSpec verbose =
      OptionSpec.builder("-v", "--verbose")
          .type(boolean.class)
          .description("Debug logging and stack traces on errors (also AMP_LOG=debug).")
          .build();

  /** The mixin to add to a command ({@link CommandSpec#addMixin}). */
  CommandSpec mixin() {
    return CommandSpec.create()
        .addOption(
            OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("Show this help message and exit.")
                .build())
        .addOption(
            OptionSpec.builder("-V", "--version")
                .versionHelp(true)
                .description("Print version information and exit.")
                .build())
        .addOption(config)
        .addOption(ampDir)
        .addOption(verbose);
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
