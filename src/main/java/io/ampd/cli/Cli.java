package io.ampd.cli;

import io.ampd.AmpdException;
import io.ampd.Daemon;
import io.ampd.HostEnvironment;
import io.ampd.Shutdown;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Builds the command line: commands get the {@link CliContext} when they are made, usage errors
 * exit 2 with one line and a hint, {@link AmpdException}s print {@code error:} and {@code hint:}
 * lines and exit 1, and nothing prints a stack trace unless verbose.
 */
public final class Cli {
  private Cli() {}

  /**
   * The command line for {@code args}: with only the subcommand they name, or with every subcommand
   * when they name none or an unknown one (help, usage errors).
   */
  public static CommandLine create(
      HostEnvironment env, Shutdown shutdown, PrintWriter out, PrintWriter err, String[] args) {
    CliContext context = new CliContext(env, shutdown, out, err);
    GlobalOptions[] topOptions = new GlobalOptions[1];
    CommandLine cli = new CommandLine(AmpdCommand.top(topOptions));
    String named = commandName(args);
    for (String name : AmpdCommand.ORDER) {
      if (named == null || named.equals(name)) {
        cli.addSubcommand(name, new CommandLine(command(name, context, topOptions[0])));
      }
    }
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(e -> ExitCode.ERROR);
    cli.setParameterExceptionHandler(Cli::onUsageError);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          boolean verbose = io.ampd.Logging.isVerbose();
          ErrorReport.print(commandLine.getErr(), e, verbose);
          return ExitCode.ERROR;
        });
    return cli;
  }

  /** The known subcommand {@code args} name, or null. Options that take a value are skipped. */
  static String commandName(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--config") || arg.equals("--amp-dir")) {
        i++;
      } else if (!arg.startsWith("-")) {
        return AmpdCommand.ORDER.contains(arg) ? arg : null;
      }
    }
    return null;
  }

  private static int onUsageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    String unknown = unknownCommand(e);
    if (unknown != null) {
      err.println("error: unknown command '" + unknown + "'");
      err.println(
          "hint: the commands are " + String.join(", ", AmpdCommand.ORDER) + "; see 'ampd --help'");
      err.flush();
      return ExitCode.USAGE;
    }
    String message = e.getMessage() == null ? "invalid command line" : e.getMessage();
    err.println("error: " + firstLine(message));
    String name = commandLine.getCommandSpec().qualifiedName();
    err.println("hint: see '" + name + " --help'");
    err.flush();
    return ExitCode.USAGE;
  }

  /**
   * The word given where {@code ampd} expects a command, when that is what went wrong; else null.
   */
  private static String unknownCommand(ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched
        && e.getCommandLine().getParent() == null
        && !unmatched.getUnmatched().isEmpty()
        && !unmatched.getUnmatched().get(0).startsWith("-")) {
      return unmatched.getUnmatched().get(0);
    }
    return null;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The spec of command {@code name}, whose run reads the options of {@code ampd} too. */
  private static CommandSpec command(String name, CliContext context, GlobalOptions top) {
    AtomicReference<Callable<Integer>> run = new AtomicReference<>();
    CommandSpec spec = AmpdCommand.base(name, () -> run.get().call());
    spec.usageMessage().description(AmpdCommand.DESCRIPTIONS.get(name));
    GlobalOptions own = GlobalOptions.addTo(spec);
    switch (name) {
      case "solo" -> {
        Endpoints.Options endpoints = Endpoints.Options.addTo(spec, true);
        run.set(
            new DaemonCommand(
                context, top, own, name, true, d -> d.solo(endpoints.resolve(context.env()))));
      }
      case "server" -> {
        Endpoints.Options endpoints = Endpoints.Options.addTo(spec, false);
        run.set(
            new DaemonCommand(
                context, top, own, name, false, d -> d.server(endpoints.resolve(context.env()))));
      }
      case "controller" ->
          run.set(new DaemonCommand(context, top, own, name, false, Daemon::controller));
      case "migrate" -> run.set(new DaemonCommand(context, top, own, name, false, Daemon::migrate));
      case "worker" -> {
        WorkerCommand worker = new WorkerCommand(context, top, own);
        worker.addOptionsTo(spec);
        run.set(worker);
      }
      default -> throw new IllegalArgumentException("unknown command " + name);
    }
    return spec;
  }
}
