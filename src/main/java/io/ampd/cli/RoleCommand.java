package io.ampd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * What every command of {@code ampd} shares: {@code -h}/{@code --help}, {@code -V}/{@code
 * --version}, the {@linkplain GlobalOptions global options}, and its {@link Invocation}. Picocli
 * makes a command's object when it builds the command line and sets {@link #ampd} to {@code
 * ampd}'s.
 */
@Command(versionProvider = Version.class)
abstract class RoleCommand implements Callable<Integer> {
  @ParentCommand AmpdCommand ampd;

  @Mixin GlobalOptions options;

  /** The options, environment and config this run of {@code command} goes with. */
  final Invocation invocation(String command, boolean solo) {
    return Invocation.of(ampd.context, ampd.options, options, solo, command);
  }

  final CliContext context() {
    return ampd.context;
  }

  final Roles roles() {
    return ampd.roles;
  }
}
