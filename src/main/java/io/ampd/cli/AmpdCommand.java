package io.ampd.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ampd}: the top-level command; does nothing by itself but name its subcommands. */
@Command(
    name = "ampd",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "The Amp daemon: extracts blockchain data into Parquet and serves SQL over it,",
      "coordinated through a PostgreSQL metadata database."
    },
    footer = {
      "",
      "Exit codes: 0 success (also a graceful stop), 1 error, 2 usage error.",
      "Environment: AMP_CONFIG, AMP_DIR, AMP_LOG, AMP_NODE_ID, AMP_CONFIG_<KEY> (e.g."
          + " AMP_CONFIG_METADATA_DB__URL)."
    })
public final class AmpdCommand implements Runnable {
  /**
   * The subcommands, by name. {@link Cli} registers only the one a command line names (building
   * picocli's model of every command costs tens of milliseconds each on the start path), and all of
   * them for help and for errors.
   */
  static final java.util.Map<String, Class<?>> SUBCOMMANDS =
      java.util.Map.of(
          "solo", SoloCommand.class,
          "controller", ControllerCommand.class,
          "worker", WorkerCommand.class,
          "migrate", MigrateCommand.class);

  /** The order subcommands are listed in help. */
  static final java.util.List<String> ORDER =
      java.util.List.of("solo", "controller", "worker", "migrate");

  @Mixin GlobalOptions global;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }
}
