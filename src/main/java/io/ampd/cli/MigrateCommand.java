package io.ampd.cli;

import io.ampd.Daemon;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code ampd migrate}: apply pending metadata schema migrations, then exit. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Apply pending migrations to the metadata database and exit (never serves).",
      "Safe to run from several processes at once. Needs --config with metadata_db.url."
    })
public final class MigrateCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin GlobalOptions global;

  @ParentCommand AmpdCommand parent;

  public MigrateCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = Invocation.of(context, parent.global, global, false, "migrate");
    return new Daemon(context, invocation).migrate();
  }
}
