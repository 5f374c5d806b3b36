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
    subcommands = {
      SoloCommand.class,
      ControllerCommand.class,
      WorkerCommand.class,
      MigrateCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 success (also a graceful stop), 1 error, 2 usage error.",
      "Environment: AMP_CONFIG, AMP_DIR, AMP_LOG, AMP_NODE_ID, AMP_CONFIG_<KEY> (e.g."
          + " AMP_CONFIG_METADATA_DB__URL)."
    })
public final class AmpdCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }
}
