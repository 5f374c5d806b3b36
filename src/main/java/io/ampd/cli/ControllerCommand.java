package io.ampd.cli;

import io.ampd.Daemon;
import java.util.concurrent.Callable;

/** {@code ampd controller}: the admin API against an external metadata database. */
final class ControllerCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions top;
  private final GlobalOptions own;

  ControllerCommand(CliContext context, GlobalOptions top, GlobalOptions own) {
    this.context = context;
    this.top = top;
    this.own = own;
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = Invocation.of(context, top, own, false, "controller");
    return new Daemon(context, invocation).controller();
  }
}
