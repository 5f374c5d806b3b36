package io.ampd.cli;

/** {@code ampd migrate}: applies pending migrations and exits. */
final class MigrateCommand extends RoleCommand {
  MigrateCommand(AmpdCommand ampd) {
    super(
        ampd,
        "migrate",
        "Apply pending migrations to the metadata database and exit (never serves). Safe to"
            + " run from several processes at once. Needs --config with metadata_db.url.");
  }

  @Override
  public Integer call() throws Exception {
    return roles().migrate(invocation("migrate", false));
  }
}
