package io.ampd.controller.http;

/**
 * A request the API refuses: answered with {@code status} and the JSON body {@code {"error":
 * message}} (plus {@code details} when given). Messages name the problem, never a secret.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Object details;

  public ApiException(int status, String message) {
    this(status, message, null);
  }

  public ApiException(int status, String message, Object details) {
    super(message);
    this.status = status;
    this.details = details;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, message);
  }

  public int status() {
    return status;
  }

  public Object details() {
    return details;
  }
}
