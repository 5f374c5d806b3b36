package io.ampd.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ampd solo}: every role in one process. */
@Command(
    name = "solo",
    description =
        "Run the controller, a worker and the query server in one process. Without"
            + " metadata_db.url, ampd runs its own PostgreSQL in <amp-dir>/metadb, reached only"
            + " over a Unix socket. Endpoints: admin API 127.0.0.1:1610, Arrow Flight SQL"
            + " 127.0.0.1:1602, JSON Lines 127.0.0.1:1603. Stop with Ctrl+C or SIGTERM.")
final class SoloCommand extends RoleCommand {
  @Option(
      names = "--admin-server",
      description =
          "Run the admin API (admin_api_addr). Also AMP_ADMIN_SERVER=true. When no endpoint is"
              + " chosen, all of them run.")
  boolean admin;

  @Mixin Endpoints.QueryFlags query;

  @Override
  public Integer call() throws Exception {
    Invocation invocation = invocation("solo", true);
    return roles().solo(invocation, query.resolve(context().env(), admin));
  }
}
