package io.ampd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options every command accepts, before or after the command name ({@code ampd --config x migrate}
 * and {@code ampd migrate --config x} are the same): a mixin of {@code ampd} and of each command,
 * the command's own given beats {@code ampd}'s.
 */
final class GlobalOptions {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print version information and exit.")
  boolean version;

  @Option(
      names = "--config",
      paramLabel = "PATH",
      description = "Config file (TOML). Also AMP_CONFIG. Optional for solo, required otherwise.")
  Path config;

  @Option(
      names = "--amp-dir",
      paramLabel = "DIR",
      description = "The amp dir. Also AMP_DIR. Default: ./.amp")
  Path ampDir;

  @Option(
      names = {"-v", "--verbose"},
      description = "Debug logging and stack traces on errors (also AMP_LOG=debug).")
  boolean verbose;
}
