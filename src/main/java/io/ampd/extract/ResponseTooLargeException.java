package io.ampd.extract;

/**
 * An answer larger than the provider's {@code max_response_bytes}: read no further, and fatal, as
 * the same request gets the same answer; the message says which setting to change.
 */
final class ResponseTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ResponseTooLargeException(String message) {
    super(message);
  }
}
