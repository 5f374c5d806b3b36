package io.ampd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command of {@code ampd} shares: {@code -h}/{@code --help}, {@code -V}/{@code
 * --version} and the other {@linkplain GlobalOptions global options} (a mixin), its {@link
 * CommandSpec}, and its {@link Invocation}. {@link AmpdCommand} makes each command with itself as
 * the parent.
 */
abstract class RoleCommand implements Callable<Integer> {
  private final AmpdCommand ampd;
  private final GlobalOptions options = new GlobalOptions();

  /** The command as picocli sees it; a subclass adds its own options and mixins. */
  final CommandSpec spec;

  RoleCommand(AmpdCommand ampd, String name, String description) {
    this.ampd = ampd;
    spec = AmpdCommand.spec(this, name, options);
    spec.usageMessage().description(description);
  }

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
