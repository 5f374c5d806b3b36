package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.Catalog;
import io.ampd.metadb.JobRepository;
import io.ampd.registry.Dataset;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.ProviderConfig;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code POST /datasets/{ns}/{name}/versions/{v}/deploy}, body optional: {@code {"provider":
 * "name"}}. Without a provider, the first (by name) provider of the manifest's network is used.
 *
 * <p>Idempotent: while the dataset version has an active job (not COMPLETED, STOPPED or FATAL),
 * deploying again answers 200 with that same job, whatever the body says; otherwise 201 with a new
 * job, SCHEDULED onto the least busy live worker or waiting for one. 404: no such dataset version;
 * 400: the named provider does not exist or serves another network; 409: no provider serves the
 * network.
 */
public final class DeployRoutes implements Routes {
  /** The job kind of {@code evm-rpc} datasets, the only kind there is. */
  public static final String EVM_RPC = "evm-rpc";

  private final Catalog catalog;
  private final JobRepository jobs;
  private final Duration workerTimeout;

  public DeployRoutes(Catalog catalog, JobRepository jobs, Duration workerTimeout) {
    this.catalog = catalog;
    this.jobs = jobs;
    this.workerTimeout = workerTimeout;
  }

  public DeployRoutes(DataSource dataSource, Duration workerTimeout) {
    this(Catalog.of(dataSource), new JobRepository(dataSource), workerTimeout);
  }

  @Override
  public void register(Router router) {
    router.post("/datasets/{namespace}/{name}/versions/{version}/deploy", this::deploy);
  }

  private Response deploy(Request r) {
    Optional<String> requested = requestedProvider(r);
    DatasetRef ref = new DatasetRef(r.param("namespace"), r.param("name"), r.param("version"));
    Dataset dataset =
        catalog
            .dataset(ref)
            .orElseThrow(() -> ApiException.notFound("dataset " + ref + " does not exist"));
    String network = dataset.manifest().network();
    ProviderConfig provider =
        requested.isPresent() ? named(requested.get(), network, ref) : firstOf(network, ref);
    JobRepository.Deployed deployed;
    try {
      deployed = jobs.deploy(ref, EVM_RPC, provider.name(), workerTimeout);
    } catch (IllegalArgumentException e) {
      throw ApiException.conflict(e.getMessage() + " (it was deleted during the deploy)");
    }
    return deployed.created()
        ? Response.created(Views.job(deployed.job()))
        : Response.ok(Views.job(deployed.job()));
  }

  private ProviderConfig named(String name, String network, DatasetRef ref) {
    ProviderConfig provider =
        catalog
            .provider(name)
            .orElseThrow(() -> ApiException.badRequest("provider '" + name + "' does not exist"));
    if (!provider.network().equals(network)) {
      throw ApiException.badRequest(
          "provider '"
              + name
              + "' serves network '"
              + provider.network()
              + "', but dataset "
              + ref
              + " needs network '"
              + network
              + "'");
    }
    return provider;
  }

  private ProviderConfig firstOf(String network, DatasetRef ref) {
    List<ProviderConfig> providers = catalog.providersOf(network);
    if (providers.isEmpty()) {
      throw ApiException.conflict(
          "no provider serves network '"
              + network
              + "' (needed by"
              + " dataset "
              + ref
              + "); register one with POST /providers");
    }
    return providers.get(0);
  }

  private static Optional<String> requestedProvider(Request r) {
    if (r.body().length == 0
        || new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return Optional.empty();
    }
    JsonNode body = r.jsonObject();
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!field.equals("provider")) {
        throw ApiException.badRequest(
            "unknown field '" + field + "' in the deploy request; allowed: provider");
      }
    }
    JsonNode provider = body.get("provider");
    if (provider == null || provider.isNull()) {
      return Optional.empty();
    }
    if (!provider.isTextual() || provider.asText().isEmpty()) {
      throw ApiException.badRequest("provider must be a non-empty string, got " + provider);
    }
    return Optional.of(provider.asText());
  }
}
