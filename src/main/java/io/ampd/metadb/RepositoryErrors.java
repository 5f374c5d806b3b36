package io.ampd.metadb;

import io.ampd.core.AmpdException;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The error of a repository call that failed in the database. Only the server's primary message is
 * kept: its detail ("Failing row contains (…)") may quote a row holding a credential.
 */
final class RepositoryErrors {
  private RepositoryErrors() {}

  static AmpdException failed(String what, SQLException e) {
    String reason = e.getMessage();
    if (e instanceof PSQLException psql) {
      ServerErrorMessage server = psql.getServerErrorMessage();
      if (server != null && server.getMessage() != null) {
        reason = server.getMessage();
      }
    }
    if (reason == null || reason.isBlank()) {
      reason = e.getClass().getSimpleName();
    }
    reason = reason.lines().findFirst().orElse(reason);
    return new AmpdException(
        "metadata database: " + what + " failed: " + reason,
        "check that the metadata database is up and migrated (ampd migrate)",
        e);
  }
}
