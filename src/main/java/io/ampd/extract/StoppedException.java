package io.ampd.extract;

/** The job was asked to stop while it waited or fetched; the current segment is abandoned. */
final class StoppedException extends Exception {
  private static final long serialVersionUID = 1L;

  StoppedException() {
    super("stop requested", null, false, false);
  }
}
