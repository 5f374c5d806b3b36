package io.ampd.metadb;

import java.sql.SQLException;

/**
 * A query of a repository failed (the database is down, a connection broke, a constraint refused a
 * row). Unchecked so that callers which cannot do better let it reach the role's error handling;
 * the message is PostgreSQL's first line, never a URL with a password.
 */
public final class MetadbException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MetadbException(SQLException cause) {
    super(
        "metadata database query failed: "
            + MetadbErrors.oneLine(String.valueOf(cause.getMessage())),
        cause);
  }

  /**
   * Whether the database could not be reached or did not answer (no connection within the wait, a
   * broken or timed-out connection, a server shutting down or out of connections), as opposed to a
   * statement it refused.
   */
  public boolean unavailable() {
    return MetadbErrors.isConnectionFailure(getCause());
  }

  /** The SQLSTATE of the underlying error, or null. */
  public String sqlState() {
    return ((SQLException) getCause()).getSQLState();
  }
}
