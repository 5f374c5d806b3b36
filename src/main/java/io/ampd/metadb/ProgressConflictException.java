package io.ampd.metadb;

/**
 * Recording a segment found progress other than the one the writer started from: someone else
 * (another worker running the same job) recorded segments meanwhile. Nothing was recorded.
 */
public final class ProgressConflictException extends Exception {
  private static final long serialVersionUID = 1L;

  public ProgressConflictException(String message) {
    super(message);
  }
}
