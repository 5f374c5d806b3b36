package io.ampd.cli;

/** {@code ampd server}: the query endpoints. */
final class ServerCommand extends RoleCommand {
  private final Endpoints.QueryFlags query = new Endpoints.QueryFlags();

  ServerCommand(AmpdCommand ampd) {
    super(
        ampd,
        "server",
        "Run the query server: SQL over the extracted datasets through Arrow Flight SQL"
            + " (default 127.0.0.1:1602) and JSON Lines over HTTP (default 127.0.0.1:1603)."
            + " Needs --config with metadata_db.url.");
    spec.addMixin("query", query.mixin());
  }

  @Override
  public Integer call() throws Exception {
    Invocation invocation = invocation("server", false);
    return roles().server(invocation, query.resolve(context().env()));
  }
}
