package io.ampd.controller;

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
import io.ampd.registry.DatasetRef;
import io.ampd.registry.DatasetRegistration;
import io.ampd.registry.InvalidDocumentException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /datasets}: register versions and read them. (Deploying a version is the jobs' route
 * group.)
 *
 * <ul>
 *   <li>{@code GET /datasets}: 200 {@code {"datasets": [{"namespace", "name", "versions": ["1.0.0",
 *       …]}]}} by namespace and name, versions in registration order.
 *   <li>{@code POST /datasets} with a registration ({@link DatasetRegistration}): 201 with the
 *       version as stored; 200 when the same version is registered with the same manifest already
 *       (idempotent); 409 when it is registered with another manifest ({@code details} gives both
 *       hashes); 400 names the invalid field ({@code manifest.start_block}).
 *   <li>{@code GET /datasets/{namespace}/{name}}: 200 {@code {"namespace", "name", "versions":
 *       [{"version", "manifest_hash", "created_at"}]}}; 404 when no version is registered.
 *   <li>{@code GET /datasets/{namespace}/{name}/versions/{version}}: 200 {@code {"namespace",
 *       "name", "version", "manifest_hash", "manifest", "created_at"}} with the canonical manifest;
 *       404 naming what is unknown.
 * </ul>
 */
public final class DatasetsRoutes implements Routes {
  private static final Logger log = LoggerFactory.getLogger(DatasetsRoutes.class);

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
        .get("/datasets/{namespace}/{name}", this::versions)
        .get("/datasets/{namespace}/{name}/versions/{version}", this::version);
  }

  private Response list(Request request) {
    Map<String, ObjectNode> byName = new LinkedHashMap<>();
    for (DatasetVersion v : datasets().list()) {
      DatasetRef ref = v.ref();
      ObjectNode entry =
          byName.computeIfAbsent(
              ref.namespace() + "/" + ref.name(),
              k -> {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("namespace", ref.namespace());
                o.put("name", ref.name());
                o.putArray("versions");
                return o;
              });
      ((ArrayNode) entry.get("versions")).add(ref.version());
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putArray("datasets").addAll(byName.values());
    return Response.ok(body);
  }

  private Response register(Request request) {
    DatasetRegistration registration;
    try {
      registration = DatasetRegistration.parse(request.jsonObject());
    } catch (InvalidDocumentException e) {
      throw RegistryJson.badDocument(e);
    }
    DatasetRepository.Registered result;
    try {
      result = datasets().register(registration);
    } catch (DatasetConflictException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("registered_manifest_hash", e.registeredHash());
      details.put("given_manifest_hash", e.givenHash());
      throw new ApiException(409, e.getMessage(), details);
    }
    ObjectNode body = RegistryJson.datasetVersion(result.dataset());
    if (result.created()) {
      log.info("dataset {} registered through the admin API", registration.ref());
      return Response.created(body);
    }
    return Response.ok(body);
  }

  private Response versions(Request request) {
    String namespace = request.param("namespace");
    String name = request.param("name");
    List<DatasetVersion> versions = datasets().versions(namespace, name);
    if (versions.isEmpty()) {
      throw unknown(namespace, name);
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("namespace", namespace);
    body.put("name", name);
    ArrayNode items = body.putArray("versions");
    for (DatasetVersion v : versions) {
      items.add(RegistryJson.versionSummary(v));
    }
    return Response.ok(body);
  }

  private Response version(Request request) {
    DatasetRef ref =
        new DatasetRef(request.param("namespace"), request.param("name"), request.param("version"));
    return datasets()
        .find(ref)
        .map(d -> Response.ok(RegistryJson.datasetVersion(d)))
        .orElseThrow(
            () ->
                datasets().versions(ref.namespace(), ref.name()).isEmpty()
                    ? unknown(ref.namespace(), ref.name())
                    : ApiException.notFound(
                        "dataset "
                            + ref.namespace()
                            + "/"
                            + ref.name()
                            + " has no version '"
                            + ref.version()
                            + "'"));
  }

  private static ApiException unknown(String namespace, String name) {
    return ApiException.notFound("no dataset " + namespace + "/" + name);
  }
}
