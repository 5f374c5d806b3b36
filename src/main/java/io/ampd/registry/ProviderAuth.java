package io.ampd.registry;

/**
 * The authentication header sent with every JSON-RPC request of a provider, as Amp's {@code
 * auth_token} and {@code auth_header} (edgeandnode/amp, {@code
 * crates/core/providers-evm-rpc/src/config.rs}): {@code Authorization: Bearer <token>}, or {@code
 * <header>: <token>} when a header name is given.
 *
 * <p>The token is a secret: {@link #toString} masks it, and it is shown nowhere but in the request.
 *
 * @param header the header name given ({@code auth_header}), or null for {@code Authorization}
 * @param token the token ({@code auth_token}), or null to send no header
 */
public record ProviderAuth(String header, String token) {
  /** No authentication header. */
  public static final ProviderAuth NONE = new ProviderAuth(null, null);

  /** The name of the header sent: {@code header}, or {@code Authorization}. */
  public String headerName() {
    return header == null ? "Authorization" : header;
  }

  /** The value of the header sent: the token, after {@code Bearer } unless a header is named. */
  public String headerValue() {
    return header == null ? "Bearer " + token : token;
  }

  /** True when a header is sent: a token is given. */
  public boolean sends() {
    return token != null;
  }

  /** {@code text} with the token, wherever it appears, masked as {@code ***}. */
  public String redact(String text) {
    return token == null || text == null ? text : text.replace(token, Urls.MASK);
  }

  @Override
  public String toString() {
    return token == null
        ? "no auth"
        : headerName() + ": " + (header == null ? "Bearer " : "") + Urls.MASK;
  }
}
