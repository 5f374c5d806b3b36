package io.ampd.cli;

import io.ampd.HostEnvironment;
import io.ampd.Shutdown;
import java.io.PrintWriter;

/** What every command gets from the process: environment, shutdown path, output writers. */
public record CliContext(
    HostEnvironment env, Shutdown shutdown, PrintWriter out, PrintWriter err) {}
