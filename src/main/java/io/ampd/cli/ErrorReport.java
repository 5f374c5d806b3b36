package io.ampd.cli;

import io.ampd.core.AmpdException;
import java.io.PrintWriter;

/** Prints a failure for people: {@code error:} and {@code hint:} lines, a trace only if asked. */
public final class ErrorReport {
  private ErrorReport() {}

  public static void print(PrintWriter err, Throwable e, boolean verbose) {
    if (e instanceof AmpdException ae) {
      err.println("error: " + ae.getMessage());
      if (ae.hint() != null && !ae.hint().isBlank()) {
        err.println("hint: " + ae.hint());
      }
    } else {
      err.println("error: unexpected failure: " + e);
      err.println("hint: this is a bug in ampd; run again with --verbose for the stack trace");
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
  }
}
