package io.ampd.cli;

import io.ampd.Daemon;
import java.util.concurrent.Callable;

/** {@code ampd solo}: every role in one JVM, with a managed PostgreSQL unless a URL is set. */
final class SoloCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions top;
  private final GlobalOptions own;

  SoloCommand(CliContext context, GlobalOptions top, GlobalOptions own) {
    this.context = context;
    this.top = top;
    this.own = own;
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = Invocation.of(context, top, own, true, "solo");
    return new Daemon(context, invocation).solo();
  }
}
