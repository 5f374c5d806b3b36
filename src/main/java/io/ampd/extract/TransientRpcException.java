package io.ampd.extract;

/** A failed request a later try may get through: connection, timeout, 5xx, JSON-RPC error. */
class TransientRpcException extends Exception {
  private static final long serialVersionUID = 1L;

  TransientRpcException(String message, Throwable cause) {
    super(message, cause);
  }
}
