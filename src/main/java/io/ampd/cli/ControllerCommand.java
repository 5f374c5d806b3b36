package io.ampd.cli;

import picocli.CommandLine.Command;

/** {@code ampd controller}: the admin API and the scheduler. */
@Command(
    name = "controller",
    description =
        "Run the admin API (default 127.0.0.1:1610) and the scheduler. Needs --config with"
            + " metadata_db.url.")
final class ControllerCommand extends RoleCommand {
  @Override
  public Integer call() throws Exception {
    return roles().controller(invocation("controller", false));
  }
}
