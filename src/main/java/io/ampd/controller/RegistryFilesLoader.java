package io.ampd.controller;

import io.ampd.core.AmpdException;
import io.ampd.metadb.DatasetConflictException;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.ProviderRepository;
import io.ampd.registry.ManifestFiles;
import io.ampd.registry.ManifestFiles.ManifestFile;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.ProviderFiles;
import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the controller does at start, once the metadata database is migrated: upserts the providers
 * of {@code providers_dir} (in one transaction) and registers the datasets of {@code
 * manifests_dir}. Every file is read and validated before anything is written, so a bad file
 * changes nothing. Any error is an {@link AmpdException} naming the file: ampd refuses to start.
 */
public final class RegistryFilesLoader {
  private static final Logger log = LoggerFactory.getLogger(RegistryFilesLoader.class);

  /** What was loaded: counts for the log and for tests. */
  public record Loaded(int providers, int providersChanged, int datasets, int datasetsCreated) {}

  private RegistryFilesLoader() {}

  public static Loaded load(Path providersDir, Path manifestsDir, DataSource dataSource) {
    List<ProviderConfig> providers = ProviderFiles.load(providersDir);
    List<ManifestFile> manifests = ManifestFiles.load(manifestsDir);

    int changed = 0;
    for (ProviderRepository.Upserted u : new ProviderRepository(dataSource).upsertAll(providers)) {
      if (u.outcome() != ProviderRepository.Upsert.UNCHANGED) {
        changed++;
        log.info(
            "provider {} {} from {}",
            u.stored().provider(),
            u.outcome() == ProviderRepository.Upsert.CREATED ? "created" : "replaced",
            providersDir);
      }
    }
    DatasetRepository datasets = new DatasetRepository(dataSource);
    int created = 0;
    for (ManifestFile file : manifests) {
      try {
        if (datasets.register(file.registration()).created()) {
          created++;
          log.info("dataset {} registered from {}", file.registration().ref(), file.file());
        }
      } catch (DatasetConflictException e) {
        throw new AmpdException(file.file() + ": " + e.getMessage(), e.hint(), e);
      }
    }
    log.info(
        "loaded {} provider(s) from {} ({} changed), {} dataset version(s) from {} ({} new)",
        providers.size(),
        providersDir,
        changed,
        manifests.size(),
        manifestsDir,
        created);
    return new Loaded(providers.size(), changed, manifests.size(), created);
  }
}
