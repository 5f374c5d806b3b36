package io.ampd.registry;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Masks the credentials a JSON-RPC endpoint URL may carry, so it can be logged and shown by the
 * API. Providers put them in three places, all masked with {@code ***}:
 *
 * <ul>
 *   <li>userinfo: {@code https://user:secret@host} becomes {@code https://user:***@host}; a
 *       userinfo without a colon is a bare token and is masked whole ({@code https://***@host});
 *   <li>query parameters whose name contains {@code key}, {@code token}, {@code secret}, {@code
 *       pass}, {@code auth}, {@code sig} or {@code credential} ({@code ?apikey=***});
 *   <li>path segments that look like API keys: 16 or more characters of letters, digits, {@code _}
 *       and {@code -} with at least one digit and one letter, as Infura ({@code /v3/<key>}),
 *       Alchemy ({@code /v2/<key>}) and QuickNode put them.
 * </ul>
 *
 * <p>The text need not parse as a URL (error messages quote invalid values through this too); where
 * the structure is unclear it masks more rather than less.
 */
public final class Urls {
  static final String MASK = "***";

  private static final Pattern KEY_LIKE_SEGMENT =
      Pattern.compile("(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}");
  private static final String[] SECRET_PARAM_PARTS = {
    "key", "token", "secret", "pass", "auth", "sig", "credential"
  };

  private Urls() {}

  /** {@code url} with its credentials masked; {@code ""} for null. */
  public static String redact(String url) {
    if (url == null) {
      return "";
    }
    int sep = url.indexOf("://");
    int start = sep < 0 ? 0 : sep + 3;
    StringBuilder out = new StringBuilder(url.length()).append(url, 0, start);
    String rest = url.substring(start);

    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment); // fragments never reach the server; drop them
    }
    int query = rest.indexOf('?');
    String beforeQuery = query < 0 ? rest : rest.substring(0, query);
    int at = beforeQuery.lastIndexOf('@');
    if (at < 0 && rest.indexOf('@') >= 0) {
      // an '@' only after the '?' may end a userinfo holding a '?': mask up to it
      at = rest.lastIndexOf('@');
      out.append(MASK).append(rest, at, rest.length());
      return out.toString();
    }
    String authorityAndPath = beforeQuery;
    if (at >= 0) {
      String userinfo = beforeQuery.substring(0, at);
      int colon = userinfo.indexOf(':');
      out.append(colon < 0 ? MASK : userinfo.substring(0, colon + 1) + MASK).append('@');
      authorityAndPath = beforeQuery.substring(at + 1);
    }
    int slash = authorityAndPath.indexOf('/');
    if (slash < 0) {
      out.append(authorityAndPath);
    } else {
      out.append(authorityAndPath, 0, slash);
      String[] segments = authorityAndPath.substring(slash).split("/", -1);
      for (int i = 1; i < segments.length; i++) {
        out.append('/')
            .append(KEY_LIKE_SEGMENT.matcher(segments[i]).matches() ? MASK : segments[i]);
      }
    }
    if (query >= 0) {
      out.append('?');
      String[] params = rest.substring(query + 1).split("&", -1);
      for (int i = 0; i < params.length; i++) {
        if (i > 0) {
          out.append('&');
        }
        String param = params[i];
        int eq = param.indexOf('=');
        if (eq >= 0 && isSecretName(param.substring(0, eq))) {
          out.append(param, 0, eq + 1).append(MASK);
        } else if (eq < 0 && KEY_LIKE_SEGMENT.matcher(param).matches()) {
          out.append(MASK);
        } else {
          out.append(param);
        }
      }
    }
    return out.toString();
  }

  /** True when {@code url} holds something {@link #redact} masks. */
  public static boolean hasCredentials(String url) {
    return url != null && !redact(url).equals(stripFragment(url));
  }

  private static String stripFragment(String url) {
    int fragment = url.indexOf('#');
    return fragment < 0 ? url : url.substring(0, fragment);
  }

  private static boolean isSecretName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String part : SECRET_PARAM_PARTS) {
      if (n.contains(part)) {
        return true;
      }
    }
    return false;
  }
}
