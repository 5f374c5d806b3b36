package io.ampd;

import io.ampd.cli.Cli;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Process entry point: reads the environment, installs the signal handlers, runs the command line
 * and exits with its code. Nothing else in ampd exits the JVM or reads the environment.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (Preload.worthIt(args)) {
      Preload.start();
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    Shutdown shutdown = new Shutdown();
    shutdown.installSignalHandlers();
    int code =
        Cli.create(new HostEnvironment(System.getenv()), shutdown, out, err, args).execute(args);
    out.flush();
    err.flush();
    shutdown.exit(code);
  }
}
