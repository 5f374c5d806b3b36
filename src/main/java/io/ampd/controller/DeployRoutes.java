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
 * <p>{@code POST …/redump}, same body: a fresh extraction of the version into new table revisions,
 * which replace the active ones when they have caught up with them (in the transaction of the
 * segment that catches up); 201 with the job, 409 while the version has an active job.
 *
 * <p>A deploy continues the tables' active revisions from their recorded progress, so no block is
 * written twice; when the manifest's {@code end_block} is recorded already, the answer is the
 * version's newest COMPLETED job (200), or a job created COMPLETED (201).
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
    router
        .post("/datasets/{namespace}/{name}/versions/{version}/deploy", r -> deploy(r, false))
        .post("/datasets/{namespace}/{name}/versions/{version}/redump", r -> deploy(r, true));
  }

  private Response deploy(Request r, boolean fresh) {
    Optional<String> requested = requestedProvider(r);
    DatasetRef ref = new DatasetRef(r.param("namespace"), r.param("name"), r.param("version"));
    Dataset dataset =
        catalog
            .dataset(ref)
            .orElseThrow(() -> ApiException.notFound("dataset " + ref + " does not exist"));
    String network = dataset.manifest().network();
    ProviderConfig provider =
        requested.isPresent() ? named(requested.get(), network, ref) : firstOf(network, ref);
    JobRepository.DeployOptions options =
        new JobRepository.DeployOptions(
            fresh,
            dataset.manifest().tables().stream().map(t -> t.tableName()).toList(),
            dataset.manifest().endBlock());
    JobRepository.Deployed deployed;
    try {
      deployed = jobs.deploy(ref, EVM_RPC, provider.name(), workerTimeout, options);
    } catch (IllegalArgumentException e) {
      throw ApiException.conflict(e.getMessage() + " (it was deleted during the deploy)");
    }
    if (fresh && !deployed.created()) {
      throw ApiException.conflict(
          "job "
              + deployed.job().id()
              + " is extracting "
              + ref
              + " ("
              + deployed.job().status()
              + "); stop it before a redump, which extracts the version again into new revisions");
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
