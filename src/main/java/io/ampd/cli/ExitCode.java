package io.ampd.cli;

/** The process exit codes, as docs/design.md "Command line" fixes them. */
public final class ExitCode {
  /** Success, including a graceful stop on SIGTERM/SIGINT. */
  public static final int OK = 0;

  /** Any runtime or configuration error. */
  public static final int ERROR = 1;

  /** A command-line usage error. */
  public static final int USAGE = 2;

  private ExitCode() {}
}
