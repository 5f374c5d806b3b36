package io.ampd.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ampd server}: the query endpoints. */
@Command(
    name = "server",
    description =
        "Run the query server: SQL over the extracted datasets through Arrow Flight SQL"
            + " (default 127.0.0.1:1602) and JSON Lines over HTTP (default 127.0.0.1:1603)."
            + " Needs --config with metadata_db.url.")
final class ServerCommand extends RoleCommand {
  @Mixin Endpoints.QueryFlags query;

  @Override
  public Integer call() throws Exception {
    Invocation invocation = invocation("server", false);
    return roles().server(invocation, query.resolve(context().env()));
  }
}
