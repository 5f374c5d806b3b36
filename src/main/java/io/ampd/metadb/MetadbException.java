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
    super(message("metadata database query failed: ", cause), cause);
  }

  /** What could not be done ({@code "cannot record segment"}), then why, as above. */
  public MetadbException(String what, SQLException cause) {
    super(message(what + ": metadata database query failed: ", cause), cause);
  }

  /**
   * {@code prefix} and the cause's first line; a batch's failure is its first failed statement's
   * (pgjdbc's own message quotes the whole batch first).
   */
  private static String message(String prefix, SQLException cause) {
    SQLException next = cause instanceof BatchUpdateException ? cause.getNextException() : null;
    return prefix
        + MetadbErrors.oneLine(String.valueOf((next != null ? next : cause).getMessage()));
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
