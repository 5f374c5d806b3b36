package io.ampd.controller.http;

/**
 * A request the API refuses: answered with {@code status} and Amp's error body {@code
 * {"error_code": code, "error_message": message}} (plus {@code details} when given). Codes are
 * SCREAMING_SNAKE_CASE and stable: Amp's code where Amp's admin API has one for the case, else an
 * ampd code. Messages name the problem, never a secret.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Default codes of the factory methods without one. */
  public static final String BAD_REQUEST = "BAD_REQUEST";

  public static final String NOT_FOUND = "NOT_FOUND";
  public static final String CONFLICT = "CONFLICT";

  private final int status;
  private final String code;
  private final transient Object details;

  /** An error with the default code of {@code status} ({@link #defaultCode}). */
  public ApiException(int status, String message) {
    this(status, defaultCode(status), message, null);
  }

  /** An error with the default code of {@code status} and details. */
  public ApiException(int status, String message, Object details) {
    this(status, defaultCode(status), message, details);
  }

  public ApiException(int status, String code, String message, Object details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, BAD_REQUEST, message, null);
  }

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message, null);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, NOT_FOUND, message, null);
  }

  public static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message, null);
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, CONFLICT, message, null);
  }

  public static ApiException conflict(String code, String message) {
    return new ApiException(409, code, message, null);
  }

  /** This error with another code (same status, message and details). */
  public ApiException withCode(String newCode) {
    return new ApiException(status, newCode, getMessage(), details);
  }

  /** The code a status gets when none is given. */
  public static String defaultCode(int status) {
    return switch (status) {
      case 400 -> BAD_REQUEST;
      case 404 -> NOT_FOUND;
      case 405 -> "METHOD_NOT_ALLOWED";
      case 408 -> "REQUEST_TIMEOUT";
      case 409 -> CONFLICT;
      case 413 -> "PAYLOAD_TOO_LARGE";
      case 503 -> "SERVICE_UNAVAILABLE";
      default -> status >= 500 ? "INTERNAL_ERROR" : "REQUEST_ERROR";
    };
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Object details() {
    return details;
  }
}
