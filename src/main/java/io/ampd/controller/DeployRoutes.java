package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.Catalog;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.DatasetVersion;
import io.ampd.metadb.JobAdmin;
import io.ampd.metadb.JobQueries;
import io.ampd.registry.Dataset;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.EndBlock;
import io.ampd.registry.ProviderConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * {@code POST /datasets/{namespace}/{name}/versions/{revision}/deploy}: Amp's deploy ({@code
 * datasets/deploy.rs}). The revision is a version, {@code latest}, {@code dev} or a manifest hash
 * ({@link Revisions}). Body optional, every field optional:
 *
 * <pre>
 * {"end_block": null | "latest" | "N" | "-N",   where the job stops ({@link EndBlock}); default null
 *  "parallelism": 1,                           Amp's writers per job; ampd has one (1 only)
 *  "worker_id": "w1" | "w-*",                  the worker to start on: a node id or a glob
 *  "verify": false,                            Amp's root verification; not in ampd (false only)
 *  "provider": "name"}                         ampd's: the provider; default the first (by name)
 *                                              serving the manifest's network
 * </pre>
 *
 * <p>Answers 202 {@code {"job_id": N, "job": {…}}} (Amp's answer is the {@code job_id}; {@code job}
 * is ampd's view of it). While the dataset version has an active job (not COMPLETED, STOPPED or
 * FATAL), deploying again answers that job's id, whatever the body says; otherwise a new job,
 * SCHEDULED onto the least busy live worker (matching {@code worker_id} if given) or waiting for
 * one.
 *
 * <p>A deploy continues the tables' active revisions from their recorded progress, so no block is
 * written twice; when the end block (the manifest's, or a number given here, the lower) is recorded
 * already, nothing runs: the answer is the version's newest COMPLETED job, or a job created
 * COMPLETED.
 *
 * <p>{@code POST …/redump}, same body: a fresh extraction of the version into new table revisions,
 * which replace the active ones when they have caught up with them (in the transaction of the
 * segment that catches up); 202 {@code {"job_id", "job"}}, 409 {@code JOB_ACTIVE} while the version
 * has an active job. (Amp's redump re-extracts a block range inside the active revision; ampd's
 * re-extracts the whole version.)
 *
 * <p>Errors: 400 {@code INVALID_PATH}, {@code INVALID_BODY} (a field's value, naming it), {@code
 * PROVIDER_NOT_FOUND} or {@code PROVIDER_NETWORK_MISMATCH} (the named provider), {@code
 * WORKER_NOT_AVAILABLE} (no live worker matches {@code worker_id}); 404 {@code DATASET_NOT_FOUND};
 * 409 {@code NO_PROVIDER_FOR_NETWORK}.
 */
public final class DeployRoutes implements Routes {
  private static final Set<String> FIELDS =
      Set.of("end_block", "parallelism", "worker_id", "verify", "provider");

  /** A node id ({@link io.ampd.registry.NodeId}) with glob characters. */
  private static final Pattern WORKER_SELECTOR = Pattern.compile("[A-Za-z0-9_.*?-]{1,128}");

  private final Catalog catalog;
  private final JobAdmin jobs;
  private final JobQueries queries;
  private final DatasetRepository datasets;
  private final Duration workerTimeout;

  public DeployRoutes(DataSource dataSource, Duration workerTimeout) {
    this.catalog = Catalog.of(dataSource);
    this.jobs = new JobAdmin(dataSource);
    this.queries = new JobQueries(dataSource);
    this.datasets = new DatasetRepository(dataSource);
    this.workerTimeout = workerTimeout;
  }

  @Override
  public void register(Router router) {
    router
        .post("/datasets/{namespace}/{name}/versions/{version}/deploy", r -> deploy(r, false))
        .post("/datasets/{namespace}/{name}/versions/{version}/redump", r -> deploy(r, true));
  }

  /** A deploy's body, read. */
  private record Body(
      EndBlock endBlock, int parallelism, Optional<String> worker, Optional<String> provider) {}

  private Response deploy(Request r, boolean fresh) {
    String namespace = r.param("namespace");
    String name = r.param("name");
    String revision = r.param("version");
    Revisions.checkPath(namespace, name, revision);
    Body body = body(r);
    List<DatasetVersion> versions = datasets.versions(namespace, name);
    DatasetRef ref =
        Revisions.resolve(versions, revision)
            .map(DatasetVersion::ref)
            .orElseThrow(() -> Revisions.notFound(namespace, name, revision));
    Dataset dataset =
        catalog.dataset(ref).orElseThrow(() -> Revisions.notFound(namespace, name, revision));
    long start = dataset.manifest().startBlock();
    if (body.endBlock().absolute().isPresent() && body.endBlock().absolute().getAsLong() < start) {
      throw ApiException.badRequest(
          Request.INVALID_BODY,
          "end_block "
              + body.endBlock().absolute().getAsLong()
              + " is before the manifest's start_block "
              + start);
    }
    String network = dataset.manifest().network();
    ProviderConfig provider =
        body.provider().isPresent()
            ? named(body.provider().get(), network, ref)
            : firstOf(network, ref);
    Map<String, Object> descriptor = new LinkedHashMap<>();
    descriptor.put("end_block", body.endBlock().toJson());
    descriptor.put("max_writers", body.parallelism());
    JobAdmin.Deployed deployed;
    try {
      deployed =
          jobs.deploy(
              ref,
              DatasetKind.EVM_RPC.kindName(),
              provider.name(),
              workerTimeout,
              new JobAdmin.DeployOptions(
                  fresh,
                  dataset.manifest().tables().stream().map(t -> t.tableName()).toList(),
                  lowest(dataset.manifest().endBlock(), body.endBlock().absolute()),
                  descriptor,
                  body.worker()));
    } catch (JobAdmin.WorkerNotAvailableException e) {
      throw ApiException.badRequest("WORKER_NOT_AVAILABLE", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiException.conflict(
          "PROVIDER_NOT_FOUND", e.getMessage() + " (it was deleted during the deploy)");
    }
    if (fresh && !deployed.created()) {
      throw ApiException.conflict(
          "JOB_ACTIVE",
          "job "
              + deployed.job().id()
              + " is extracting "
              + ref
              + " ("
              + deployed.job().status()
              + "); stop it before a redump, which extracts the version again into new revisions");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("job_id", deployed.job().id());
    out.put("job", Views.job(deployed.job(), queries));
    return Response.accepted(out);
  }

  /** The lower of two end blocks, either of which may be absent. */
  private static OptionalLong lowest(OptionalLong a, OptionalLong b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
  }

  private ProviderConfig named(String name, String network, DatasetRef ref) {
    ProviderConfig provider =
        catalog
            .provider(name)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "PROVIDER_NOT_FOUND", "provider '" + name + "' does not exist"));
    if (!provider.network().equals(network)) {
      throw ApiException.badRequest(
          "PROVIDER_NETWORK_MISMATCH",
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
          "NO_PROVIDER_FOR_NETWORK",
          "no provider serves network '"
              + network
              + "' (needed by dataset "
              + ref
              + "); register one with POST /providers");
    }
    return providers.get(0);
  }

  private static Body body(Request r) {
    if (r.body().length == 0 || new String(r.body(), StandardCharsets.UTF_8).isBlank()) {
      return new Body(EndBlock.CONTINUOUS, 1, Optional.empty(), Optional.empty());
    }
    JsonNode body = r.jsonObject();
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!FIELDS.contains(field)) {
        throw invalid(
            "unknown field '"
                + field
                + "' in the deploy request; allowed: end_block, parallelism, worker_id, verify,"
                + " provider");
      }
    }
    EndBlock end;
    try {
      end = EndBlock.parse(body.get("end_block"));
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
    JsonNode parallelism = body.get("parallelism");
    if (parallelism != null && !parallelism.isNull()) {
      if (!parallelism.isIntegralNumber() || parallelism.asLong() < 1) {
        throw invalid("parallelism is " + parallelism + ", expected a positive integer");
      }
      if (parallelism.asLong() != 1) {
        throw invalid(
            "parallelism is "
                + parallelism
                + ", but ampd extracts a dataset version with one writer: give 1 or leave it out");
      }
    }
    JsonNode verify = body.get("verify");
    if (verify != null && !verify.isNull()) {
      if (!verify.isBoolean()) {
        throw invalid("verify is " + verify + ", expected true or false");
      }
      if (verify.asBoolean()) {
        throw invalid(
            "verify true is not supported: ampd checks that every block continues its parent"
                + " but does not recompute transaction and receipt roots");
      }
    }
    return new Body(end, 1, text(body, "worker_id", WORKER_SELECTOR), text(body, "provider", null));
  }

  private static Optional<String> text(JsonNode body, String field, Pattern pattern) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw invalid(field + " must be a non-empty string, got " + value);
    }
    if (pattern != null && !pattern.matcher(value.asText()).matches()) {
      throw invalid(
          field
              + " is "
              + value
              + ", expected a worker node id or a glob of one (letters, digits, _ . - * ?)");
    }
    return Optional.of(value.asText());
  }

  private static ApiException invalid(String message) {
    return ApiException.badRequest(Request.INVALID_BODY, "invalid request body: " + message);
  }
}
