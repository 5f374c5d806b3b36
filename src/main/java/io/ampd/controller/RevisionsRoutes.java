package io.ampd.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.core.Faults;
import io.ampd.extract.RevisionDirs;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.DatasetVersion;
import io.ampd.metadb.RevisionRepository;
import io.ampd.metadb.RevisionRepository.Revision;
import io.ampd.registry.DatasetRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /revisions} as Amp's {@code revisions/*} handlers (edgeandnode/amp,
 * crates/services/admin-api/src/handlers/revisions/): a table revision is one copy of a dataset
 * version's table, a directory of Parquet files; queries read the table's one active revision.
 *
 * <ul>
 *   <li>{@code GET /revisions?active=true|false&limit=N}: 200 with a JSON array, newest first
 *       (limit 100 by default, at most 1000)
 *   <li>{@code GET /revisions/{id}}: 200, 404 {@code REVISION_NOT_FOUND}
 *   <li>{@code POST /revisions/{id}/activate}, body {@code {"dataset": "ns/name@version",
 *       "table_name": "blocks"}} (optional in ampd; when given it must name the revision's table):
 *       200; the table's active revision is deactivated in the same transaction
 *   <li>{@code POST /revisions/deactivate}, body {@code {"dataset", "table_name"}}: 200; the table
 *       then has no active revision and queries see it empty
 *   <li>{@code DELETE /revisions/{id}}: 204; the revision's records and its files go (Amp's delete
 *       leaves the files to {@code truncate}; ampd never leaves files no record names). 409 {@code
 *       REVISION_IS_ACTIVE} or {@code WRITER_JOB_NOT_TERMINAL}
 *   <li>{@code DELETE /revisions/{id}/truncate}: the same, 200 {@code {"files_deleted": N}}
 * </ul>
 *
 * <p>A body's {@code dataset} reference is {@code namespace/name@revision}, the revision a version,
 * {@code latest}, {@code dev} or a manifest hash, as in the dataset routes ({@link Revisions}).
 */
public final class RevisionsRoutes implements Routes {
  private static final Logger log = LoggerFactory.getLogger(RevisionsRoutes.class);
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final RevisionRepository revisions;
  private final DatasetRepository datasets;
  private final Path dataDir;

  /** Routes over {@code dataSource}; files are deleted under {@code dataDir}. */
  public RevisionsRoutes(DataSource dataSource, Path dataDir) {
    this.revisions = new RevisionRepository(dataSource);
    this.datasets = new DatasetRepository(dataSource);
    this.dataDir = dataDir;
  }

  @Override
  public void register(Router router) {
    router
        .get("/revisions", this::list)
        .get("/revisions/{id}", r -> Response.ok(view(revision(r))))
        .post("/revisions/{id}/activate", this::activate)
        .post("/revisions/deactivate", this::deactivate)
        .delete("/revisions/{id}", r -> delete(r, false))
        .delete("/revisions/{id}/truncate", r -> delete(r, true));
  }

  private Response list(Request r) {
    Optional<Boolean> active =
        r.query("active")
            .map(
                v ->
                    switch (v) {
                      case "true" -> true;
                      case "false" -> false;
                      default ->
                          throw error(
                              400,
                              "INVALID_QUERY_PARAMETERS",
                              "active must be true or false, got '" + v + "'");
                    });
    int limit = r.query("limit").map(RevisionsRoutes::limit).orElse(DEFAULT_LIMIT);
    return Response.ok(revisions.list(active, limit).stream().map(RevisionsRoutes::view).toList());
  }

  private Response activate(Request r) {
    Revision revision = revision(r);
    if (r.body().length > 0
        && !new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      Target target = target(r);
      if (!target.dataset().equals(revision.dataset())
          || !target.table().equals(revision.table())) {
        throw error(
            400,
            "INVALID_BODY",
            "revision "
                + revision.id()
                + " is of "
                + revision.dataset()
                + " table "
                + revision.table()
                + ", not of "
                + target.dataset()
                + " table "
                + target.table());
      }
    }
    if (!revisions.activate(revision.id())) {
      throw notFound(revision.id());
    }
    log.info(
        "revision {} ({} table {}) activated through the admin API",
        revision.id(),
        revision.dataset(),
        revision.table());
    return Response.ok(view(revisions.find(revision.id()).orElseThrow(() -> notFound(0))));
  }

  private Response deactivate(Request r) {
    Target target = target(r);
    if (revisions.ofTable(target.dataset(), target.table()).isEmpty()) {
      throw error(
          404,
          "TABLE_NOT_FOUND",
          "dataset " + target.dataset() + " has no revision of table '" + target.table() + "'");
    }
    int n = revisions.deactivate(target.dataset(), target.table());
    log.info(
        "{} table {}: {} revision(s) deactivated through the admin API",
        target.dataset(),
        target.table(),
        n);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("deactivated", n);
    return Response.ok(out);
  }

  private Response delete(Request r, boolean truncate) {
    long id = id(r);
    RevisionRepository.Deletion outcome = revisions.deleteRecords(id);
    if (outcome instanceof RevisionRepository.NotFound) {
      throw notFound(id);
    }
    if (outcome instanceof RevisionRepository.IsActive) {
      throw error(
          409,
          "REVISION_IS_ACTIVE",
          "revision "
              + id
              + " is active; activate another revision of its table or deactivate it first");
    }
    if (outcome instanceof RevisionRepository.WriterActive w) {
      throw error(
          409,
          "WRITER_JOB_NOT_TERMINAL",
          "revision "
              + id
              + " is written by job "
              + w.jobId()
              + ", which is "
              + w.status()
              + "; stop it first");
    }
    RevisionRepository.Deleted deleted = (RevisionRepository.Deleted) outcome;
    Faults.at("revision-delete:records-deleted");
    long files;
    try {
      files = RevisionDirs.delete(dataDir, deleted.path());
    } catch (IOException | RuntimeException e) {
      // The records are gone: the next start removes the directory.
      log.warn(
          "revision {}: records deleted, but its directory {} could not be removed now ({}); the"
              + " next start removes it",
          id,
          deleted.path(),
          e.toString());
      files = deleted.files();
    }
    log.info("revision {} deleted through the admin API ({} files)", id, files);
    if (!truncate) {
      return Response.noContent();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("files_deleted", files);
    return Response.ok(out);
  }

  /** The body's {@code dataset} and {@code table_name}, resolved. */
  private record Target(DatasetRef dataset, String table) {}

  private Target target(Request r) {
    JsonNode body = r.jsonObject();
    JsonNode dataset = body.get("dataset");
    JsonNode table = body.get("table_name");
    if (dataset == null || !dataset.isTextual()) {
      throw error(400, "INVALID_BODY", "dataset must be a string such as \"namespace/name@1.0.0\"");
    }
    if (table == null || !table.isTextual() || table.asText().isEmpty()) {
      throw error(400, "INVALID_BODY", "table_name must be a non-empty string");
    }
    return new Target(resolve(dataset.asText()), table.asText());
  }

  /** {@code namespace/name@revision} to a registered version. */
  private DatasetRef resolve(String reference) {
    int at = reference.lastIndexOf('@');
    int slash = reference.indexOf('/');
    if (slash <= 0 || at <= slash + 1 || at == reference.length() - 1) {
      throw error(
          400,
          "INVALID_BODY",
          "dataset must be namespace/name@revision (a version, latest or a manifest hash), got '"
              + reference
              + "'");
    }
    String namespace = reference.substring(0, slash);
    String name = reference.substring(slash + 1, at);
    String revision = reference.substring(at + 1);
    return Revisions.resolve(datasets.versions(namespace, name), revision)
        .map(DatasetVersion::ref)
        .orElseThrow(() -> Revisions.notFound(namespace, name, revision));
  }

  private Revision revision(Request r) {
    long id = id(r);
    return revisions.find(id).orElseThrow(() -> notFound(id));
  }

  static Map<String, Object> view(Revision v) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("dataset_namespace", v.dataset().namespace());
    metadata.put("dataset_name", v.dataset().name());
    metadata.put("manifest_hash", v.manifestHash());
    metadata.put("table_name", v.table());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", v.id());
    out.put("path", v.path());
    out.put("active", v.active());
    if (v.writer().isPresent()) {
      out.put("writer", v.writer().getAsLong());
    }
    out.put("metadata", metadata);
    out.put("dataset_version", v.dataset().version());
    out.put("writer_status", v.writerStatus().map(Enum::name).orElse(null));
    out.put("last_block", v.lastBlock().isPresent() ? v.lastBlock().getAsLong() : null);
    out.put("files", v.files());
    out.put("rows", v.rows());
    out.put("bytes", v.bytes());
    out.put("created_at", v.createdAt().toString());
    return out;
  }

  private static long id(Request r) {
    String raw = r.param("id");
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw error(
        400,
        "INVALID_PATH_PARAMETERS",
        "revision id must be a positive integer, got '" + raw + "'");
  }

  private static int limit(String raw) {
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw error(
        400,
        "INVALID_QUERY_PARAMETERS",
        "limit must be an integer from 1 to " + MAX_LIMIT + ", got '" + raw + "'");
  }

  private static ApiException notFound(long id) {
    return error(404, "REVISION_NOT_FOUND", "revision " + id + " does not exist");
  }

  private static ApiException error(int status, String code, String message) {
    return new ApiException(status, code, message, null);
  }
}
