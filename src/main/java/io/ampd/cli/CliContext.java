package io.ampd.cli;

import java.io.PrintWriter;

/** What every command gets from the process: its environment and output writers. */
public record CliContext(HostEnvironment env, PrintWriter out, PrintWriter err) {}
