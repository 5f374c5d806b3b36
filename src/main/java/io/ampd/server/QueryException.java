package io.ampd.server;

/**
 * A query that cannot be answered, as the clients see it: Amp's error code ({@code error_code} in a
 * JSON Lines body), the HTTP status of the JSON Lines endpoint, the gRPC status of the Flight
 * endpoint, and one line for people ({@code error_message}). Never a stack trace, never a file path
 * of the data dir.
 */
public final class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kinds of failure, each with its code and statuses. */
  public enum Kind {
    /** The body is empty, blank or not UTF-8. */
    INVALID_SQL_STRING("INVALID_SQL_STRING", 400, "INVALID_ARGUMENT"),
    /** The text does not parse; the message says where. */
    SQL_PARSE_ERROR("SQL_PARSE_ERROR", 400, "INVALID_ARGUMENT"),
    /** Not one read-only query, or it uses something the server refuses (the message says what). */
    INVALID_QUERY("INVALID_QUERY", 400, "INVALID_ARGUMENT"),
    /** {@code SETTINGS stream = true}: Amp's streaming queries are not served. */
    STREAMING_NOT_SUPPORTED("STREAMING_NOT_SUPPORTED", 400, "INVALID_ARGUMENT"),
    /** A dataset or table that does not exist. */
    TABLE_NOT_FOUND("TABLE_NOT_FOUND_ERROR", 404, "NOT_FOUND"),
    /** The query does not bind: an unknown column or function, a type mismatch. */
    INVALID_PLAN("INVALID_PLAN", 400, "INVALID_ARGUMENT"),
    /** Running the query failed on its data (a conversion, a division by zero, …). */
    EXECUTION_ERROR("CORE_EXECUTION_ERROR", 400, "INVALID_ARGUMENT"),
    /** The query ran past {@code server.query_timeout_secs} and was cancelled. */
    QUERY_TIMEOUT("QUERY_TIMEOUT", 504, "DEADLINE_EXCEEDED"),
    /** The query needed more memory than it may use. */
    OUT_OF_MEMORY("QUERY_OUT_OF_MEMORY", 503, "RESOURCE_EXHAUSTED"),
    /** {@code server.max_concurrent_queries} queries are running. */
    TOO_MANY_QUERIES("TOO_MANY_QUERIES", 503, "RESOURCE_EXHAUSTED"),
    /** The metadata database did not answer, so the query's files are unknown. */
    CATALOG_UNAVAILABLE("PHYSICAL_CATALOG_ERROR", 503, "UNAVAILABLE"),
    /** The server is stopping. */
    SHUTTING_DOWN("SERVER_SHUTTING_DOWN", 503, "UNAVAILABLE"),
    /** The client went away; nobody sees this one. */
    CANCELLED("QUERY_CANCELLED", 499, "CANCELLED"),
    /** A fault of the server itself. */
    INTERNAL("INTERNAL_ERROR", 500, "INTERNAL");

    private final String code;
    private final int httpStatus;
    private final String grpcStatus;

    Kind(String code, int httpStatus, String grpcStatus) {
      this.code = code;
      this.httpStatus = httpStatus;
      this.grpcStatus = grpcStatus;
    }

    /** Amp's {@code error_code}. */
    public String code() {
      return code;
    }

    /** The JSON Lines endpoint's HTTP status. */
    public int httpStatus() {
      return httpStatus;
    }

    /** The name of the Flight endpoint's gRPC status code. */
    public String grpcStatus() {
      return grpcStatus;
    }
  }

  private final Kind kind;

  public QueryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public QueryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
