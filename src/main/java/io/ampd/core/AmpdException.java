package io.ampd.core;

/**
 * An error meant for people: a one-line message saying what failed and, where there is one, a hint
 * saying what to do. The command line prints {@code error: <message>} and {@code hint: <hint>} and
 * exits 1; no stack trace unless verbose.
 *
 * <p>Messages and hints are API: tests assert them. They never contain a password.
 */
public class AmpdException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String hint;

  public AmpdException(String message, String hint) {
    super(message);
    this.hint = hint;
  }

  public AmpdException(String message, String hint, Throwable cause) {
    super(message, cause);
    this.hint = hint;
  }

  /** What the user can do about it, or {@code null}. */
  public String hint() {
    return hint;
  }
}
