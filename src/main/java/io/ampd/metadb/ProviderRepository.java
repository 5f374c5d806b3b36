package io.ampd.metadb;

import io.ampd.registry.ProviderConfig;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The SQL of the {@code providers} table.
 *
 * <p>STUB: the methods others use are agreed; implementation pending (registry helper).
 */
public final class ProviderRepository {
  private final DataSource dataSource;

  public ProviderRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Optional<ProviderConfig> find(String name) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Providers serving {@code network}, by name. */
  public List<ProviderConfig> findByNetwork(String network) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
