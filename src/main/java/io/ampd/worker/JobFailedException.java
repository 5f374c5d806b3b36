package io.ampd.worker;

/** A job run that failed; {@link #fatal()} says whether retrying could help. */
public final class JobFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean fatal;

  private JobFailedException(String message, boolean fatal, Throwable cause) {
    super(message, cause);
    this.fatal = fatal;
  }

  /** A failure a later retry may not meet (the node was down, timed out, rate-limited us). */
  public static JobFailedException transientFailure(String message, Throwable cause) {
    return new JobFailedException(message, false, cause);
  }

  /** A failure no retry can fix (malformed data, an impossible manifest). */
  public static JobFailedException fatal(String message, Throwable cause) {
    return new JobFailedException(message, true, cause);
  }

  public boolean fatal() {
    return fatal;
  }
}
