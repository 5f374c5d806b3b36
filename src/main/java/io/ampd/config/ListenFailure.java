package io.ampd.config;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.net.BindException;
import java.util.Locale;

/**
 * The one wording of an address that cannot be listened on, for every endpoint: {@code cannot
 * listen on 127.0.0.1:1603 for the JSON Lines endpoint: Address already in use}, with a hint that
 * names the config key and its environment variable.
 */
public final class ListenFailure {
  private ListenFailure() {}

  /**
   * @param addr the address
   * @param what the endpoint, e.g. {@code "the admin API"}
   * @param key its config key, e.g. {@code "admin_api_addr"}
   * @param otherPort a port to suggest in the hint
   * @param cause why binding failed (its message is the reason)
   */
  public static AmpdException of(
      HostPort addr, String what, String key, int otherPort, Throwable cause) {
    Throwable e = cause;
    while (e != null && !(e instanceof IOException) && e.getCause() != null) {
      e = e.getCause();
    }
    String reason = e == null || e.getMessage() == null ? String.valueOf(cause) : e.getMessage();
    String hint =
        e instanceof BindException
            ? "stop the process using that address, or set "
                + key
                + " (e.g. AMP_CONFIG_"
                + key.toUpperCase(Locale.ROOT)
                + "=127.0.0.1:"
                + otherPort
                + ")"
            : "check " + key;
    return new AmpdException("cannot listen on " + addr + " for " + what + ": " + reason, hint);
  }
}
