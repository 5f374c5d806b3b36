package io.ampd.metadb;

import io.ampd.config.PgUrl;
import javax.sql.DataSource;

/**
 * The metadata database connection pool (HikariCP over pgjdbc).
 *
 * <p>STUB: signatures agreed; implementation pending.
 */
public final class MetadataDb implements AutoCloseable {

  /** Opens a pool of at most {@code poolSize} connections; fails fast with a readable error. */
  public static MetadataDb open(PgUrl url, int poolSize, String applicationName) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public DataSource dataSource() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
