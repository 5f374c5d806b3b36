package io.ampd.cli;

import io.ampd.Daemon;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code ampd controller}: the admin API against an external metadata database. */
@Command(
    name = "controller",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Run the admin API (default 127.0.0.1:1610). Needs --config with metadata_db.url.")
public final class ControllerCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin GlobalOptions global;

  @ParentCommand AmpdCommand parent;

  public ControllerCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = Invocation.of(context, parent.global, global, false, "controller");
    return new Daemon(context, invocation).controller();
  }
}
