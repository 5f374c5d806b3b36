package io.ampd.extract;

/** A response no retry can fix: a missing field, a wrong type, bad hex, the wrong block. */
final class MalformedResponseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  MalformedResponseException(String message) {
    super(message);
  }
}
