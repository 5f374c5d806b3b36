package io.ampd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ampd} itself: names its commands (picocli finds the one given) and holds what they run
 * with; run bare, it is a usage error.
 */
@Command(
    name = "ampd",
    versionProvider = Version.class,
    description = {
      "The Amp daemon: extracts blockchain data into Parquet and serves SQL over it",
      "(Arrow Flight SQL and JSON Lines), coordinated through a PostgreSQL metadata database."
    },
    footer = {
      "",
      "Exit codes: 0 success (also a graceful stop), 1 error, 2 usage error.",
      "Environment: AMP_CONFIG, AMP_DIR, AMP_LOG, AMP_NODE_ID, AMP_ADMIN_SERVER,"
          + " AMP_FLIGHT_SERVER, AMP_JSONL_SERVER, AMP_CONFIG_<KEY> (e.g."
          + " AMP_CONFIG_METADATA_DB__URL)."
    },
    subcommands = {
      SoloCommand.class,
      ControllerCommand.class,
      ServerCommand.class,
      WorkerCommand.class,
      MigrateCommand.class
    })
final class AmpdCommand implements Callable<Integer> {
  final CliContext context;
  final Roles roles;

  @Mixin GlobalOptions options;

  @Spec CommandSpec spec;

  AmpdCommand(CliContext context, Roles roles) {
    this.context = context;
    this.roles = roles;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }
}
