package io.ampd.config;

/** A listen address such as {@code 127.0.0.1:1610}. */
public record HostPort(String host, int port) {
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
