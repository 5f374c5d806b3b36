package io.ampd.cli;

import picocli.CommandLine.Command;

/** {@code ampd migrate}: applies pending migrations and exits. */
@Command(
    name = "migrate",
    description =
        "Apply pending migrations to the metadata database and exit (never serves). Safe to"
            + " run from several processes at once. Needs --config with metadata_db.url.")
final class MigrateCommand extends RoleCommand {
  @Override
  public Integer call() throws Exception {
    return roles().migrate(invocation("migrate", false));
  }
}
