package io.ampd.metadb;

import io.ampd.registry.Dataset;
import io.ampd.registry.DatasetRef;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The SQL of the {@code manifests} and {@code datasets} tables.
 *
 * <p>STUB: the methods others use are agreed; implementation pending (registry helper).
 */
public final class DatasetRepository {
  private final DataSource dataSource;

  public DatasetRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Optional<Dataset> find(DatasetRef ref) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
