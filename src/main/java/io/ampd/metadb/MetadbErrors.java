package io.ampd.metadb;

import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns JDBC and pool failures into {@link AmpdException}s with the messages and hints of
 * docs/design.md "Migrations". Every message built here is scrubbed of the URL's password, whatever
 * the driver put in it.
 */
final class MetadbErrors {
  static final String PERMISSION_DENIED_STATE = "42501";

  private static final Pattern SAFE_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");

  private MetadbErrors() {}

  /** {@code failed to connect to metadata database (<redacted url>): <cause>}. */
  static AmpdException connectionFailed(PgUrl url, Throwable error) {
    return new AmpdException(
        "failed to connect to metadata database (" + url.redacted() + "): " + cause(url, error),
        "check metadata_db.url; try: psql \"" + url.psqlUrl() + "\"",
        error);
  }

  /** {@code permission denied: <pg message>} with the GRANT statements the user needs. */
  static AmpdException permissionDenied(PgUrl url, SQLException error) {
    return permissionDenied(url, serverMessage(error), "public", error);
  }

  static AmpdException permissionDenied(
      PgUrl url, String pgMessage, String schema, Throwable error) {
    String user = quoteIdent(url.user());
    String database = quoteIdent(url.database());
    return new AmpdException(
        "permission denied: " + scrub(url, pgMessage),
        "ask the database owner to run: GRANT CONNECT, CREATE ON DATABASE "
            + database
            + " TO "
            + user
            + "; GRANT USAGE, CREATE ON SCHEMA "
            + quoteIdent(schema)
            + " TO "
            + user
            + "; (or make "
            + user
            + " the owner of database "
            + database
            + ")",
        error);
  }

  /**
   * Maps a failure while talking to the database: permission and connection failures get their own
   * messages; anything else becomes {@code <what>: <cause>}.
   */
  static AmpdException translate(PgUrl url, String what, Throwable error) {
    if (error instanceof AmpdException ampd) {
      return ampd;
    }
    SQLException denied = findSqlState(error, PERMISSION_DENIED_STATE);
    if (denied != null) {
      return permissionDenied(url, denied);
    }
    if (isConnectionFailure(error)) {
      return connectionFailed(url, error);
    }
    return new AmpdException(what + ": " + cause(url, error), null, error);
  }

  /**
   * True for failures that mean "could not reach or log in to the server", or that it went away or
   * stopped answering (the admin API answers them with 503).
   */
  static boolean isConnectionFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof SocketTimeoutException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // 08: connection exception; 28: invalid authorization; 3D000: no such database;
        // 53300: too many connections; 57P01/57P02: the server ends sessions (shutdown, crash);
        // 57P03: cannot connect now (starting up, shutting down).
        if (state.startsWith("08")
            || state.startsWith("28")
            || state.equals("3D000")
            || state.equals("53300")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  static SQLException findSqlState(Throwable error, String state) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
        return sql;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * One line saying why: the deepest cause with a message (the driver's outer messages mostly
   * repeat it with advice that does not apply here), password scrubbed.
   */
  static String cause(PgUrl url, Throwable error) {
    String message = null;
    for (Throwable t = error; t != null; t = t.getCause()) {
      String m =
          t instanceof PSQLException psql && psql.getServerErrorMessage() != null
              ? serverMessage(psql)
              : t.getMessage();
      if (m != null && !m.isBlank()) {
        message = m;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (message == null) {
      message = error.getClass().getSimpleName();
    }
    return scrub(url, oneLine(message));
  }

  /** The server's own message without pgjdbc's "ERROR:"/"Where:" decoration. */
  static String serverMessage(SQLException error) {
    if (error instanceof PSQLException psql) {
      ServerErrorMessage server = psql.getServerErrorMessage();
      if (server != null && server.getMessage() != null) {
        return server.getMessage();
      }
    }
    return oneLine(String.valueOf(error.getMessage()));
  }

  static String oneLine(String message) {
    String line = message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline).strip();
  }

  /** Replaces the URL's password, wherever it appears, with {@code ***}. */
  static String scrub(PgUrl url, String message) {
    String password = url.jdbcProperties().getProperty("password");
    if (password == null || password.isEmpty() || message == null) {
      return message;
    }
    return message.replace(password, "***");
  }

  /** PostgreSQL's quote_ident: plain lower-case names stay bare. */
  static String quoteIdent(String name) {
    if (SAFE_IDENTIFIER.matcher(name).matches()) {
      return name;
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
