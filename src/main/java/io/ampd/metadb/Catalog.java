package io.ampd.metadb;

import io.ampd.registry.Dataset;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.ProviderConfig;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What deploying and running jobs need from the registry: dataset versions with their manifests,
 * and providers. {@link #of} reads them from the registry's repositories; tests may give fixed
 * ones.
 */
public interface Catalog {
  Optional<Dataset> dataset(DatasetRef ref);

  Optional<ProviderConfig> provider(String name);

  /** Providers serving {@code network}, by name. */
  List<ProviderConfig> providersOf(String network);

  /** The catalog of the metadata database. */
  static Catalog of(DataSource dataSource) {
    DatasetRepository datasets = new DatasetRepository(dataSource);
    ProviderRepository providers = new ProviderRepository(dataSource);
    return new Catalog() {
      @Override
      public Optional<Dataset> dataset(DatasetRef ref) {
        return datasets.find(ref);
      }

      @Override
      public Optional<ProviderConfig> provider(String name) {
        return providers.find(name);
      }

      @Override
      public List<ProviderConfig> providersOf(String network) {
        return providers.findByNetwork(network);
      }
    };
  }
}
