package io.ampd.controller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.ProviderInUseException;
import io.ampd.metadb.ProviderRepository;
import io.ampd.metadb.StoredProvider;
import io.ampd.registry.InvalidDocumentException;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.ProviderParser;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /providers}: list, create or replace, read, delete.
 *
 * <ul>
 *   <li>{@code GET /providers}: 200 {@code {"providers": [provider…]}}, by name.
 *   <li>{@code POST /providers} with a provider document ({@link ProviderParser}): creates it or
 *       replaces the provider of that name, answering 201 either way (as Amp's {@code
 *       providers/create.rs}) with the provider as stored. 400 {@code INVALID_REQUEST_BODY} names
 *       the invalid field. Replacing is what a file in {@code providers_dir} does at start too;
 *       jobs already running keep the settings they started with.
 *   <li>{@code GET /providers/{name}}: 200 the provider, 404 {@code PROVIDER_NOT_FOUND}.
 *   <li>{@code DELETE /providers/{name}}: 204; 404 {@code PROVIDER_NOT_FOUND}; 409 {@code
 *       PROVIDER_IN_USE} while an unfinished job uses it ({@code details.jobs} lists them).
 * </ul>
 *
 * A provider in an answer is Amp's {@code ProviderInfo} ({@code name}, {@code kind} and the
 * provider's other fields): every field with its effective value under ampd's names (a body may use
 * Amp's), the URL redacted, {@code auth_token} as {@code ***}, and {@code created_at}/{@code
 * updated_at}. A body holding a masked URL or token is refused (400), so an answer posted back
 * never stores the mask.
 */
public final class ProvidersRoutes implements Routes {
  private static final Logger log = LoggerFactory.getLogger(ProvidersRoutes.class);

  /** Amp's codes ({@code providers/create.rs}, {@code providers/get_by_id.rs}). */
  static final String INVALID_REQUEST_BODY = "INVALID_REQUEST_BODY";

  static final String PROVIDER_NOT_FOUND = "PROVIDER_NOT_FOUND";

  private final Supplier<DataSource> dataSource;

  /** Routes over {@code dataSource}. */
  public ProvidersRoutes(DataSource dataSource) {
    this(() -> dataSource);
  }

  /**
   * Routes over the data source {@code dataSource} gives at each request; while it gives {@code
   * null} (the API is bound before the pool opens) they answer 503.
   */
  public ProvidersRoutes(Supplier<DataSource> dataSource) {
    this.dataSource = dataSource;
  }

  private ProviderRepository providers() {
    return new ProviderRepository(RegistryJson.ready(dataSource));
  }

  @Override
  public void register(Router router) {
    router
        .get("/providers", this::list)
        .post("/providers", this::upsert)
        .get("/providers/{name}", this::get)
        .delete("/providers/{name}", this::delete);
  }

  private Response list(Request request) {
    ArrayNode items = JsonNodeFactory.instance.arrayNode();
    for (StoredProvider p : providers().list()) {
      items.add(RegistryJson.provider(p));
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("providers", items);
    return Response.ok(body);
  }

  private Response upsert(Request request) {
    ProviderConfig provider;
    try {
      provider = ProviderParser.parse(request.jsonObject(INVALID_REQUEST_BODY));
    } catch (InvalidDocumentException e) {
      throw RegistryJson.badDocument(INVALID_REQUEST_BODY, e);
    }
    ProviderRepository.Upserted result = providers().upsert(provider);
    if (result.outcome() != ProviderRepository.Upsert.UNCHANGED) {
      log.info(
          "provider {} {} through the admin API",
          provider,
          result.outcome() == ProviderRepository.Upsert.CREATED ? "created" : "replaced");
    }
    return Response.created(RegistryJson.provider(result.stored()));
  }

  private Response get(Request request) {
    String name = request.param("name");
    return providers()
        .findStored(name)
        .map(p -> Response.ok(RegistryJson.provider(p)))
        .orElseThrow(() -> unknown(name));
  }

  private Response delete(Request request) {
    String name = request.param("name");
    boolean deleted;
    try {
      deleted = providers().delete(name);
    } catch (ProviderInUseException e) {
      throw new ApiException(409, "PROVIDER_IN_USE", e.getMessage(), Map.of("jobs", e.jobIds()));
    }
    if (!deleted) {
      throw unknown(name);
    }
    log.info("provider {} deleted through the admin API", name);
    return Response.noContent();
  }

  private static ApiException unknown(String name) {
    return ApiException.notFound(PROVIDER_NOT_FOUND, "provider '" + name + "' not found");
  }
}
