package io.ampd.server;

import io.ampd.server.QueryException.Kind;
import java.sql.SQLException;

/**
 * DuckDB's errors as {@link QueryException}s: its error class decides the kind; the message is its
 * first part, without the excerpt of the query DuckDB quotes after it ({@code LINE 1: …}), which
 * would show the query as rewritten, with the paths of its files.
 */
final class DuckErrors {
  private DuckErrors() {}

  static QueryException translate(SQLException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int line = message.indexOf("\nLINE ");
    if (line >= 0) {
      message = message.substring(0, line);
    }
    message = String.join("; ", message.strip().lines().map(String::strip).toList());
    return new QueryException(kind(message), message, e);
  }

  static Kind kind(String message) {
    if (message.startsWith("Binder Error")
        || message.startsWith("Catalog Error")
        || message.startsWith("Parser Error")
        || message.startsWith("Not implemented Error")
        || message.startsWith("Permission Error")) {
      return Kind.INVALID_PLAN;
    }
    if (message.startsWith("Conversion Error")
        || message.startsWith("Invalid Input Error")
        || message.startsWith("Out of Range Error")
        || message.startsWith("Constraint Error")
        || message.startsWith("Invalid Error")
        || message.startsWith("Mismatch Type Error")) {
      return Kind.EXECUTION_ERROR;
    }
    if (message.startsWith("Out of Memory Error")) {
      return Kind.OUT_OF_MEMORY;
    }
    if (message.startsWith("INTERRUPT Error")) {
      return Kind.CANCELLED;
    }
    return Kind.INTERNAL;
  }
}
