package io.ampd.cli;

/** {@code ampd controller}: the admin API and the scheduler. */
final class ControllerCommand extends RoleCommand {
  ControllerCommand(AmpdCommand ampd) {
    super(
        ampd,
        "controller",
        "Run the admin API (default 127.0.0.1:1610) and the scheduler. Needs --config with"
            + " metadata_db.url.");
  }

  @Override
  public Integer call() throws Exception {
    return roles().controller(invocation("controller", false));
  }
}
