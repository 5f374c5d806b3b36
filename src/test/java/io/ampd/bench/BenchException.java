package io.ampd.bench;

/** A measurement that could not be taken, with the output that explains why. */
final class BenchException extends RuntimeException {
  private final String detail;

  BenchException(String message, String detail) {
    super(message);
    this.detail = detail;
  }

  String detail() {
    return detail;
  }
}
