package io.ampd.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code ampd} itself: names its commands (picocli finds the one given) and holds what they run
 * with; run bare, it is a usage error.
 *
 * <p>{@code ampd} and its commands are described with picocli's programmatic model ({@link
 * CommandSpec}, {@code OptionSpec}, mixins added with {@link CommandSpec#addMixin}) rather than its
 * annotations: reading annotations makes the JVM generate a proxy class per annotation type, and
 * picocli reflects over every command class, which cost about 40 ms of CPU at every start (see
 * docs/benchmarks.md).
 */
final class AmpdCommand implements Callable<Integer> {
  final CliContext context;
  final Roles roles;
  final GlobalOptions options = new GlobalOptions();
  final CommandSpec spec;

  AmpdCommand(CliContext context, Roles roles) {
    this.context = context;
    this.roles = roles;
    spec = spec(this, "ampd", options);
    spec.usageMessage()
        .description(
            "The Amp daemon: extracts blockchain data into Parquet and serves SQL over it",
            "(Arrow Flight SQL and JSON Lines), coordinated through a PostgreSQL metadata"
                + " database.")
        .footer(
            "",
            "Exit codes: 0 success (also a graceful stop), 1 error, 2 usage error.",
            "Environment: AMP_CONFIG, AMP_DIR, AMP_LOG, AMP_NODE_ID, AMP_ADMIN_SERVER,"
                + " AMP_FLIGHT_SERVER, AMP_JSONL_SERVER, AMP_CONFIG_<KEY> (e.g."
                + " AMP_CONFIG_METADATA_DB__URL).");
    List<RoleCommand> commands =
        List.of(
            new SoloCommand(this),
            new ControllerCommand(this),
            new ServerCommand(this),
            new WorkerCommand(this),
            new MigrateCommand(this));
    for (RoleCommand command : commands) {
      spec.addSubcommand(command.spec.name(), new CommandLine(command.spec));
    }
  }

  /** The spec of a command run by {@code run}, with the global options as a mixin. */
  static CommandSpec spec(Callable<Integer> run, String name, GlobalOptions options) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(run).name(name);
    spec.versionProvider(new Version());
    spec.addMixin("options", options.mixin());
    return spec;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }
}
