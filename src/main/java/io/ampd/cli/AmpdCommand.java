package io.ampd.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code ampd} and its commands, described with picocli's programmatic model rather than
 * annotations: reading annotations makes the JVM generate a proxy class per annotation type, which
 * cost tens of milliseconds of every start.
 */
final class AmpdCommand {
  /** The commands in the order help lists them. */
  static final List<String> ORDER = List.of("solo", "controller", "server", "worker", "migrate");

  /** What each command says of itself in help. */
  static final Map<String, String> DESCRIPTIONS =
      Map.of(
          "solo",
          "Run the controller, a worker and the query server in one process. Without"
              + " metadata_db.url, ampd runs its own PostgreSQL in <amp-dir>/metadb, reached only"
              + " over a Unix socket. Endpoints: admin API 127.0.0.1:1610, Arrow Flight SQL"
              + " 127.0.0.1:1602, JSON Lines 127.0.0.1:1603. Stop with Ctrl+C or SIGTERM.",
          "controller",
          "Run the admin API (default 127.0.0.1:1610) and the scheduler. Needs --config with"
              + " metadata_db.url.",
          "server",
          "Run the query server: SQL over the extracted datasets through Arrow Flight SQL"
              + " (default 127.0.0.1:1602) and JSON Lines over HTTP (default 127.0.0.1:1603)."
              + " Needs --config with metadata_db.url.",
          "worker",
          "Run a worker: register NODE_ID, heartbeat, and run the extraction jobs assigned to"
              + " it. Needs --config with metadata_db.url. Stop with SIGTERM or Ctrl+C: running"
              + " jobs are handed back to the controller and resume from their progress.",
          "migrate",
          "Apply pending migrations to the metadata database and exit (never serves). Safe to"
              + " run from several processes at once. Needs --config with metadata_db.url.");

  private AmpdCommand() {}

  /** {@code ampd} itself: does nothing but name its commands; run bare, it is a usage error. */
  static CommandSpec top(GlobalOptions[] globalHolder) {
    CommandSpec[] self = new CommandSpec[1];
    Callable<Integer> run =
        () -> {
          throw new ParameterException(self[0].commandLine(), "missing command");
        };
    CommandSpec spec = base("ampd", run);
    self[0] = spec;
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
    globalHolder[0] = GlobalOptions.addTo(spec);
    return spec;
  }

  /** A command with {@code -h}/{@code --help} and {@code -V}/{@code --version}. */
  static CommandSpec base(String name, Callable<Integer> run) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(run).name(name);
    spec.versionProvider(new Version());
    spec.addOption(
        OptionSpec.builder("-h", "--help")
            .usageHelp(true)
            .description("Show this help message and exit.")
            .build());
    spec.addOption(
        OptionSpec.builder("-V", "--version")
            .versionHelp(true)
            .description("Print version information and exit.")
            .build());
    return spec;
  }
}
