package io.ampd.cli;

import io.ampd.Daemon;
import java.util.concurrent.Callable;

/**
 * {@code ampd solo}, {@code controller} and {@code migrate}: resolve the invocation, run a role.
 */
final class DaemonCommand implements Callable<Integer> {
  /** What the command runs on its {@link Daemon}. */
  interface Role {
    int run(Daemon daemon) throws Exception;
  }

  private final CliContext context;
  private final GlobalOptions top;
  private final GlobalOptions own;
  private final String name;
  private final boolean solo;
  private final Role role;

  DaemonCommand(
      CliContext context,
      GlobalOptions top,
      GlobalOptions own,
      String name,
      boolean solo,
      Role role) {
    this.context = context;
    this.top = top;
    this.own = own;
    this.name = name;
    this.solo = solo;
    this.role = role;
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = Invocation.of(context, top, own, solo, name);
    return role.run(new Daemon(context, invocation));
  }
}
