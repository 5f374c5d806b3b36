package io.ampd.cli;

import io.ampd.Daemon;
import java.util.concurrent.Callable;

/** {@code ampd migrate}: apply pending metadata schema migrations, then exit. */
final class MigrateCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions top;
  private final GlobalOptions own;

  MigrateCommand(CliContext context, GlobalOptions top, GlobalOptions own) {
    this.context = context;
    this.top = top;
    this.own = own;
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = Invocation.of(context, top, own, false, "migrate");
    return new Daemon(context, invocation).migrate();
  }
}
