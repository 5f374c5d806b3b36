package io.ampd.extract;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A JSON-RPC error the node answered a call (or the whole batch) with: its code and message, kept
 * apart so that the fetcher can tell a method the node does not serve ({@link #methodUnavailable})
 * from a passing failure.
 */
final class RpcErrorException extends TransientRpcException {
  private static final long serialVersionUID = 1L;

  /** JSON-RPC's "method not found". */
  static final int METHOD_NOT_FOUND = -32601;

  /**
   * Messages nodes send for a method they do not serve, whatever the code: geth's "the method X
   * does not exist/is not available", "method not found", "Method not available", "unsupported
   * method", "X is not supported" (some send them as -32700, -32000 or -32603, in an HTTP 200).
   */
  private static final Pattern UNAVAILABLE =
      Pattern.compile(
          "(method .*(does not exist|not exist|not available|not found|not supported|unsupported"
              + "|not allowed|disabled))|(method not (found|available|supported|allowed))"
              + "|(unsupported method)|(unknown method)|(eth_\\w+ (is )?(not supported"
              + "|not available|does not exist|unsupported|disabled))");

  private final int code;
  private final String rpcMessage;

  RpcErrorException(String message, int code, String rpcMessage) {
    super(message, null);
    this.code = code;
    this.rpcMessage = rpcMessage;
  }

  int code() {
    return code;
  }

  String rpcMessage() {
    return rpcMessage;
  }

  /**
   * Whether the node says it does not serve the method: code -32601, or a message that says so
   * (sent by some nodes with another code). No retry gets such a call through.
   */
  boolean methodUnavailable() {
    return code == METHOD_NOT_FOUND
        || UNAVAILABLE.matcher(rpcMessage.toLowerCase(Locale.ROOT)).find();
  }
}
