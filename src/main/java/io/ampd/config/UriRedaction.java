package io.ampd.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Best-effort removal of passwords from a connection URI that may not even parse.
 *
 * <p>It splits the text the way {@link PgUrl} does (userinfo ends at the last {@code @} before the
 * first {@code ?}) and masks the part of the userinfo after its first {@code :} and the value of
 * every {@code password=} query parameter. When an {@code @} appears only after a {@code ?} (a
 * password holding an unencoded {@code ?}), it masks everything from the first {@code :} to the
 * last {@code @}: too much rather than too little.
 */
final class UriRedaction {
  static final String MASK = "***";

  private final String text;
  private final List<String> secrets;
  private final boolean paranoid;

  private UriRedaction(String text, List<String> secrets, boolean paranoid) {
    this.text = text;
    this.secrets = secrets;
    this.paranoid = paranoid;
  }

  /** The input with every password masked. */
  String text() {
    return text;
  }

  /**
   * A piece of the input, safe to quote: {@link #MASK} when it lies inside a masked secret, else
   * the piece with any secret it contains masked. When the masking was broader than the URI split
   * (an {@code @} after the {@code ?}), pieces cut by that split may straddle the secret, so every
   * piece is masked.
   */
  String scrub(String piece) {
    if (piece.isEmpty()) {
      return piece;
    }
    if (paranoid) {
      return MASK;
    }
    String out = piece;
    for (String secret : secrets) {
      if (secret.contains(out)) {
        return MASK;
      }
      out = out.replace(secret, MASK);
    }
    return out;
  }

  static UriRedaction of(String raw) {
    List<String> secrets = new ArrayList<>();
    int sep = raw.indexOf("://");
    int start = sep < 0 ? 0 : sep + 3;
    StringBuilder out = new StringBuilder(raw.length()).append(raw, 0, start);
    String rest = raw.substring(start);

    int qi = rest.indexOf('?');
    int at = (qi < 0 ? rest : rest.substring(0, qi)).lastIndexOf('@');
    boolean paranoid = false;
    if (at < 0 && rest.lastIndexOf('@') >= 0) {
      at = rest.lastIndexOf('@');
      paranoid = true;
    }
    int tailStart = 0;
    if (at >= 0) {
      int colon = rest.indexOf(':');
      if (colon >= 0 && colon < at) {
        addSecret(secrets, rest.substring(colon + 1, at));
        out.append(rest, 0, colon + 1).append(MASK);
        tailStart = at;
      }
    }
    String tail = rest.substring(tailStart);
    int q = tail.indexOf('?');
    if (q < 0) {
      out.append(tail);
    } else {
      out.append(tail, 0, q + 1);
      String[] params = tail.substring(q + 1).split("&", -1);
      for (int i = 0; i < params.length; i++) {
        if (i > 0) {
          out.append('&');
        }
        String param = params[i];
        int eq = param.indexOf('=');
        if (eq >= 0 && isPasswordKey(param.substring(0, eq))) {
          addSecret(secrets, param.substring(eq + 1));
          out.append(param, 0, eq + 1).append(MASK);
        } else {
          out.append(param);
        }
      }
    }
    return new UriRedaction(out.toString(), secrets, paranoid);
  }

  private static boolean isPasswordKey(String rawKey) {
    String key;
    try {
      key = Percent.decode(rawKey);
    } catch (Percent.BadEncoding e) {
      key = rawKey;
    }
    return key.trim().equalsIgnoreCase("password");
  }

  private static void addSecret(List<String> secrets, String raw) {
    if (raw.isEmpty()) {
      return;
    }
    secrets.add(raw);
    try {
      String decoded = Percent.decode(raw);
      if (!decoded.isEmpty() && !decoded.equals(raw)) {
        secrets.add(decoded);
      }
    } catch (Percent.BadEncoding e) {
      // the raw form is masked already
    }
  }
}
