package io.ampd.cli;

import io.ampd.Daemon;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code ampd solo}: every role in one JVM, with a managed PostgreSQL unless a URL is set. */
@Command(
    name = "solo",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Run the controller and a worker in one process. Without metadata_db.url, ampd runs its",
      "own PostgreSQL in <amp-dir>/metadb, reached only over a Unix socket.",
      "Stop with Ctrl+C or SIGTERM."
    })
public final class SoloCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin GlobalOptions global;

  @ParentCommand AmpdCommand parent;

  public SoloCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = Invocation.of(context, parent.global, global, true, "solo");
    return new Daemon(context, invocation).solo();
  }
}
