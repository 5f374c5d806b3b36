package io.ampd.metadb;

import java.sql.BatchUpdateException;
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

  /** What could not be done ({@code "cannot record segment"}), then why, as above. */
  public MetadbException(String what, SQLException cause) {
    super(what + ": metadata database query failed: " + MetadbErrors.oneLine(reason(cause)), cause);
  }

  /** A batch's failure is its first failed statement's (pgjdbc quotes the whole batch first). */
  private static String reason(SQLException e) {
    SQLException next = e instanceof BatchUpdateException ? e.getNextException() : null;
    return String.valueOf((next != null ? next : e).getMessage());
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
