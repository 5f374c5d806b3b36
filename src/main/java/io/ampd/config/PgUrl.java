package io.ampd.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * A libpq connection URI ({@code postgresql://[user[:password]@][host][:port][/db][?params]}),
 * parsed once and turned into pgjdbc settings. {@link #toString()} is the redacted form: the
 * password never leaves this class except through {@link #jdbcProperties()}.
 *
 * <p>STUB: signatures agreed; implementation pending.
 */
public final class PgUrl {
  /** Default port when the URI gives none. */
  public static final int DEFAULT_PORT = 5432;

  /** Parses a libpq URI; errors name the (redacted) value and the rule broken. */
  public static PgUrl parse(String uri) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** A URL for a PostgreSQL reached over the Unix socket {@code socketDir/.s.PGSQL.port}. */
  public static PgUrl unixSocket(Path socketDir, int port, String database, String user) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public String user() {
    throw new UnsupportedOperationException();
  }

  public Optional<String> host() {
    throw new UnsupportedOperationException();
  }

  public int port() {
    throw new UnsupportedOperationException();
  }

  public String database() {
    throw new UnsupportedOperationException();
  }

  /** The Unix socket directory when connecting over a socket ({@code host=/dir}). */
  public Optional<Path> socketDir() {
    throw new UnsupportedOperationException();
  }

  public OptionalInt connectTimeoutSeconds() {
    throw new UnsupportedOperationException();
  }

  /** A copy with {@code application_name} set, unless the URI already sets one. */
  public PgUrl withDefaultApplicationName(String applicationName) {
    throw new UnsupportedOperationException();
  }

  /** {@code postgresql://user:***@host:port/db?params}: safe for logs and messages. */
  public String redacted() {
    throw new UnsupportedOperationException();
  }

  /** The URI without any password, ready to paste after {@code psql}. */
  public String psqlUrl() {
    throw new UnsupportedOperationException();
  }

  /** {@code jdbc:postgresql://…} without credentials. */
  public String jdbcUrl() {
    throw new UnsupportedOperationException();
  }

  /** pgjdbc connection properties: user, password, ssl, timeouts, socket factory. */
  public Properties jdbcProperties() {
    throw new UnsupportedOperationException();
  }

  @Override
  public String toString() {
    return redacted();
  }
}
