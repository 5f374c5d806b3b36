package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.DatasetConflictException;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.DatasetVersion;
import io.ampd.metadb.JobQueries;
import io.ampd.registry.Dataset;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.EvmRpcManifest;
import io.ampd.registry.InvalidDocumentException;
import io.ampd.registry.ManifestParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /datasets}: register versions and read them, in Amp's shapes (Amp's admin API handlers
 * {@code datasets/*}) with ampd's extra fields. (Deploying a version is {@link DeployRoutes}.)
 *
 * <ul>
 *   <li>{@code GET /datasets}: 200 {@code {"datasets": [{"namespace", "name", "latest_version",
 *       "versions": ["1.0.0", …]}]}} by namespace and name, versions in registration order.
 *   <li>{@code POST /datasets} with {@code {"namespace", "name", "version", "manifest"}}: the
 *       manifest in ampd's shape ({@link io.ampd.registry.ManifestParser}), in Amp's {@code
 *       evm-rpc} shape ({@link AmpManifests}) or a manifest hash already stored. 201 with Amp's
 *       answer ({@code namespace, name, version, manifest_hash, kind, start_block,
 *       finalized_blocks_only, tables}) and ampd's {@code manifest} and {@code created_at}, also
 *       when the same version is registered again with the same manifest (idempotent); 409 {@code
 *       DATASET_VERSION_CONFLICT} when it is registered with another manifest ({@code details}
 *       gives both hashes); 400 {@code INVALID_PAYLOAD_FORMAT} or {@code INVALID_MANIFEST} naming
 *       the field, {@code MANIFEST_VALIDATION_ERROR} naming the table and column whose schema
 *       differs from ampd's; 404 {@code MANIFEST_NOT_FOUND} for an unknown hash.
 *   <li>{@code GET /datasets/{namespace}/{name}}: 200 {@code {"namespace", "name",
 *       "latest_version", "versions": [{"version", "manifest_hash", "created_at"}]}}.
 *   <li>{@code GET /datasets/{namespace}/{name}/versions}: 200 Amp's {@code {"namespace", "name",
 *       "versions": [{"version", "manifest_hash", "created_at", "updated_at"}], "special_tags":
 *       {"latest", "dev"}}}.
 *   <li>{@code GET /datasets/{namespace}/{name}/versions/{revision}}: 200 Amp's {@code
 *       {"namespace", "name", "revision", "manifest_hash", "kind", "start_block",
 *       "finalized_blocks_only", "tables"}} and ampd's {@code version}, canonical {@code manifest}
 *       and {@code created_at}. The revision is a version, {@code latest}, {@code dev} or a
 *       manifest hash ({@link Revisions}).
 *   <li>{@code GET /datasets/{namespace}/{name}/versions/{revision}/manifest}: 200 the manifest in
 *       Amp's shape, tables with the Arrow schemas ampd writes.
 *   <li>{@code GET /datasets/{namespace}/{name}/versions/{revision}/jobs}: 200 {@code {"jobs":
 *       [job…]}}, the version's jobs newest first.
 * </ul>
 *
 * Unknown datasets and revisions: 404 {@code DATASET_NOT_FOUND}; a namespace, name or revision that
 * cannot be one: 400 {@code INVALID_PATH}.
 */
public final class DatasetsRoutes implements Routes {
  private static final Logger log = LoggerFactory.getLogger(DatasetsRoutes.class);

  /** Amp's code for a registration body that does not parse ({@code datasets/register.rs}). */
  static final String INVALID_PAYLOAD_FORMAT = "INVALID_PAYLOAD_FORMAT";

  private final Supplier<DataSource> dataSource;

  /** Routes over {@code dataSource}. */
  public DatasetsRoutes(DataSource dataSource) {
    this(() -> dataSource);
  }

  /**
   * Routes over the data source {@code dataSource} gives at each request; while it gives {@code
   * null} (the API is bound before the pool opens) they answer 503.
   */
  public DatasetsRoutes(Supplier<DataSource> dataSource) {
    this.dataSource = dataSource;
  }

  private DatasetRepository datasets() {
    return new DatasetRepository(RegistryJson.ready(dataSource));
  }

  @Override
  public void register(Router router) {
    router
        .get("/datasets", this::list)
        .post("/datasets", this::register)
        .get("/datasets/{namespace}/{name}", this::dataset)
        .get("/datasets/{namespace}/{name}/versions", this::versions)
        .get("/datasets/{namespace}/{name}/versions/{version}", this::version)
        .get("/datasets/{namespace}/{name}/versions/{version}/manifest", this::manifest)
        .get("/datasets/{namespace}/{name}/versions/{version}/jobs", this::jobs);
  }

  private Response list(Request request) {
    Map<String, List<DatasetVersion>> byName = new LinkedHashMap<>();
    for (DatasetVersion v : datasets().list()) {
      byName
          .computeIfAbsent(v.ref().namespace() + "/" + v.ref().name(), k -> new ArrayList<>())
          .add(v);
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ArrayNode items = body.putArray("datasets");
    for (List<DatasetVersion> versions : byName.values()) {
      DatasetRef ref = versions.get(0).ref();
      ObjectNode o = items.addObject();
      o.put("namespace", ref.namespace());
      o.put("name", ref.name());
      o.put("latest_version", Revisions.latest(versions).ref().version());
      ArrayNode names = o.putArray("versions");
      versions.forEach(v -> names.add(v.ref().version()));
    }
    return Response.ok(body);
  }

  private Response register(Request request) {
    ObjectNode document = (ObjectNode) request.jsonObject(INVALID_PAYLOAD_FORMAT).deepCopy();
    JsonNode version = document.get("version");
    if (version == null || version.isNull()) {
      throw ApiException.badRequest(
          INVALID_PAYLOAD_FORMAT,
          "dataset field 'version' is required: ampd registers versions only (Amp's registration"
              + " without a version, which only moves 'dev', has no counterpart); give e.g."
              + " \"version\": \"1.0.0\"");
    }
    JsonNode manifest = document.get("manifest");
    if (AmpManifests.isHash(manifest)) {
      String hash = manifest.asText().toLowerCase(Locale.ROOT);
      EvmRpcManifest stored =
          datasets()
              .storedManifest(hash)
              .orElseThrow(
                  () ->
                      ApiException.notFound(
                          "MANIFEST_NOT_FOUND", "manifest with hash '" + hash + "' not found"));
      document.set("manifest", ManifestParser.toJson(stored));
    } else if (AmpManifests.isAmpShape(manifest)) {
      document.set("manifest", AmpManifests.toAmpd(manifest));
    }
    DatasetRegistration registration;
    try {
      registration = DatasetRegistration.parse(document);
    } catch (InvalidDocumentException e) {
      throw RegistryJson.badDocument(
          e.field().startsWith("manifest") ? AmpManifests.INVALID_MANIFEST : INVALID_PAYLOAD_FORMAT,
          e);
    }
    DatasetRepository.Registered result;
    try {
      result = datasets().register(registration);
    } catch (DatasetConflictException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("registered_manifest_hash", e.registeredHash());
      details.put("given_manifest_hash", e.givenHash());
      throw new ApiException(409, "DATASET_VERSION_CONFLICT", e.getMessage(), details);
    }
    if (result.created()) {
      log.info("dataset {} registered through the admin API", registration.ref());
    }
    Dataset d = result.dataset();
    ObjectNode body = info(d);
    body.put("version", d.ref().version());
    body.set("manifest", ManifestParser.toJson(d.manifest()));
    body.put("created_at", d.createdAt().toString());
    return Response.created(body);
  }

  /** Amp's dataset fields ({@code datasets/register.rs}, {@code datasets/get.rs}). */
  private static ObjectNode info(Dataset d) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("namespace", d.ref().namespace());
    o.put("name", d.ref().name());
    o.put("manifest_hash", d.manifestHash());
    o.put("kind", DatasetKind.EVM_RPC.kindName());
    o.put("start_block", d.manifest().startBlock());
    o.put("finalized_blocks_only", false);
    ArrayNode tables = o.putArray("tables");
    d.manifest().tables().forEach(t -> tables.add(t.tableName()));
    return o;
  }

  private List<DatasetVersion> versionsOf(Request request, String revision) {
    String namespace = request.param("namespace");
    String name = request.param("name");
    Revisions.checkPath(namespace, name, revision);
    List<DatasetVersion> versions = datasets().versions(namespace, name);
    if (versions.isEmpty()) {
      throw Revisions.notFound(namespace, name, revision);
    }
    return versions;
  }

  private Response dataset(Request request) {
    List<DatasetVersion> versions = versionsOf(request, null);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("namespace", request.param("namespace"));
    body.put("name", request.param("name"));
    body.put("latest_version", Revisions.latest(versions).ref().version());
    ArrayNode items = body.putArray("versions");
    for (DatasetVersion v : versions) {
      items.add(RegistryJson.versionSummary(v));
    }
    return Response.ok(body);
  }

  private Response versions(Request request) {
    List<DatasetVersion> versions = versionsOf(request, null);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("namespace", request.param("namespace"));
    body.put("name", request.param("name"));
    ArrayNode items = body.putArray("versions");
    for (DatasetVersion v : versions) {
      ObjectNode o = RegistryJson.versionSummary(v);
      o.put("updated_at", v.createdAt().toString()); // a version never changes once registered
      items.add(o);
    }
    ObjectNode tags = body.putObject("special_tags");
    tags.put(Revisions.LATEST, Revisions.latest(versions).ref().version());
    tags.put(Revisions.DEV, versions.get(versions.size() - 1).ref().version());
    return Response.ok(body);
  }

  /** The dataset version the request's revision names; 404 when none. */
  private Dataset resolve(Request request) {
    String revision = request.param("version");
    List<DatasetVersion> versions = versionsOf(request, revision);
    DatasetVersion v =
        Revisions.resolve(versions, revision)
            .orElseThrow(
                () ->
                    Revisions.notFound(
                        request.param("namespace"), request.param("name"), revision));
    return datasets()
        .find(v.ref())
        .orElseThrow(
            () -> Revisions.notFound(request.param("namespace"), request.param("name"), revision));
  }

  private Response version(Request request) {
    Dataset d = resolve(request);
    ObjectNode body = info(d);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("namespace", d.ref().namespace());
    out.put("name", d.ref().name());
    out.put("revision", request.param("version"));
    out.setAll(body);
    out.put("version", d.ref().version());
    out.set("manifest", ManifestParser.toJson(d.manifest()));
    out.put("created_at", d.createdAt().toString());
    return Response.ok(out);
  }

  private Response manifest(Request request) {
    return Response.ok(AmpManifests.render(resolve(request).manifest()));
  }

  private Response jobs(Request request) {
    Dataset d = resolve(request);
    JobQueries jobs = new JobQueries(RegistryJson.ready(dataSource));
    return Response.ok(Map.of("jobs", Views.jobs(jobs.jobsOf(d.ref()), jobs)));
  }
}
