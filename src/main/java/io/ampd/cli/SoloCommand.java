package io.ampd.cli;

import picocli.CommandLine.Model.OptionSpec;

/** {@code ampd solo}: every role in one process. */
final class SoloCommand extends RoleCommand {
  private final OptionSpec admin =
      Endpoints.QueryFlags.flag(
          "--admin-server", "the admin API (admin_api_addr)", "AMP_ADMIN_SERVER");
  private final Endpoints.QueryFlags query = new Endpoints.QueryFlags();

  SoloCommand(AmpdCommand ampd) {
    super(
        ampd,
        "solo",
        "Run the controller, a worker and the query server in one process. Without"
            + " metadata_db.url, ampd runs its own PostgreSQL in <amp-dir>/metadb, reached only"
            + " over a Unix socket. Endpoints: admin API 127.0.0.1:1610, Arrow Flight SQL"
            + " 127.0.0.1:1602, JSON Lines 127.0.0.1:1603. Stop with Ctrl+C or SIGTERM.");
    spec.addOption(admin);
    spec.addMixin("query", query.mixin());
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = invocation("solo", true);
    return roles()
        .solo(invocation, query.resolve(context().env(), Endpoints.QueryFlags.given(admin)));
  }
}
