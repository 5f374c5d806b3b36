package io.ampd.cli;

import io.ampd.core.AmpdException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Builds the command line: {@code ampd} and its commands are built in code ({@link AmpdCommand}
 * names them), usage errors exit 2 with one line and a hint, {@link AmpdException}s print {@code
 * error:} and {@code hint:} lines and exit 1, and nothing prints a stack trace unless verbose.
 */
public final class Cli {
  private Cli() {}

  /** The command line of {@code ampd}, whose commands run {@code roles}. */
  public static CommandLine create(CliContext context, Roles roles) {
    CommandLine cli = new CommandLine(new AmpdCommand(context, roles).spec);
    cli.setOut(context.out());
    cli.setErr(context.err());
    cli.setExitCodeExceptionMapper(e -> ExitCode.ERROR);
    cli.setParameterExceptionHandler(Cli::onUsageError);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          boolean verbose = io.ampd.cli.Logging.isVerbose();
          ErrorReport.print(commandLine.getErr(), e, verbose);
          return ExitCode.ERROR;
        });
    return cli;
  }

  private static int onUsageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    String unknown = unknownCommand(e);
    if (unknown != null) {
      err.println("error: unknown command '" + unknown + "'");
      err.println(
          "hint: the commands are "
              + String.join(", ", commandLine.getSubcommands().keySet())
              + "; see 'ampd --help'");
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
}
