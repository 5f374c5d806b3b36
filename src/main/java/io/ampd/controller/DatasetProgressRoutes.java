package io.ampd.controller;

import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.DatasetRepository;
import io.ampd.metadb.LiveProgress;
import io.ampd.metadb.ProgressRepository;
import io.ampd.metadb.ProgressRepository.ActiveTable;
import io.ampd.metadb.TableProgress;
import io.ampd.registry.Dataset;
import io.ampd.registry.EvmTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * Progress of a dataset version's tables, as Amp's dataset progress routes had it (edgeandnode/amp,
 * crates/services/admin-api/src/handlers/datasets/progress.rs and table_progress.rs): each table's
 * active revision, the job writing it, and its committed and live progress ({@link ProgressViews}).
 *
 * <ul>
 *   <li>{@code GET /datasets/{namespace}/{name}/versions/{revision}/progress}: 200 {@code
 *       {"dataset_namespace", "dataset_name", "revision", "manifest_hash", "tables": {name:
 *       {...}}}} with every table of the manifest (one without an active revision yet has null
 *       blocks and zero counts); 404 naming what is unknown
 *   <li>{@code GET /datasets/{namespace}/{name}/versions/{revision}/tables/{table}/progress}: 200
 *       with that table's object; 404 also when the manifest has no such table
 * </ul>
 *
 * {@code revision} is a version, {@code latest}, {@code dev} or a manifest hash ({@link
 * Revisions}).
 */
public final class DatasetProgressRoutes implements Routes {
  private final DataSource dataSource;

  public DatasetProgressRoutes(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void register(Router router) {
    router
        .get("/datasets/{namespace}/{name}/versions/{revision}/progress", this::dataset)
        .get(
            "/datasets/{namespace}/{name}/versions/{revision}/tables/{table}/progress",
            this::table);
  }

  private Response dataset(Request r) {
    Dataset dataset = find(r);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("dataset_namespace", dataset.ref().namespace());
    out.put("dataset_name", dataset.ref().name());
    out.put("revision", dataset.ref().version());
    out.put("manifest_hash", dataset.manifestHash());
    out.put("tables", tables(dataset));
    return Response.ok(out);
  }

  private Response table(Request r) {
    Dataset dataset = find(r);
    String table = r.param("table");
    Map<String, Object> one = tables(dataset).get(table);
    if (one == null) {
      throw ApiException.notFound(
          "TABLE_NOT_FOUND",
          "dataset "
              + dataset.ref()
              + " has no table '"
              + table
              + "'; its tables: "
              + String.join(
                  ", ", dataset.manifest().tables().stream().map(EvmTable::tableName).toList()));
    }
    return Response.ok(one);
  }

  /** Every table of the manifest, in its order, by name. */
  private Map<String, Map<String, Object>> tables(Dataset dataset) {
    ProgressRepository repo = new ProgressRepository(dataSource);
    Map<String, ActiveTable> active = new LinkedHashMap<>();
    for (ActiveTable t : repo.activeTables(dataset.ref())) {
      active.put(t.committed().table(), t);
    }
    List<Long> writers =
        active.values().stream()
            .filter(t -> t.writer().isPresent())
            .map(t -> t.writer().getAsLong())
            .distinct()
            .toList();
    Map<Long, LiveProgress> live = repo.find(writers);
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (EvmTable table : dataset.manifest().tables()) {
      String name = table.tableName();
      ActiveTable t = active.get(name);
      out.put(name, t == null ? none(name) : view(t, live));
    }
    return out;
  }

  private static Map<String, Object> view(ActiveTable t, Map<Long, LiveProgress> live) {
    Optional<LiveProgress> row =
        t.writer().isPresent()
            ? Optional.ofNullable(live.get(t.writer().getAsLong()))
            : Optional.empty();
    Optional<LiveProgress> current =
        t.writerStatus().isPresent()
            ? ProgressViews.current(row, t.writerStatus().get())
            : Optional.empty();
    Map<String, Object> figures =
        ProgressViews.table(
            t.committed(),
            t.firstBlock().isPresent() ? Optional.of(t.firstBlock().getAsLong()) : Optional.empty(),
            row,
            current);
    // Amp's order: the blocks, the writer job, the files; then ampd's.
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("current_block", figures.remove("current_block"));
    out.put("start_block", figures.remove("start_block"));
    out.put("job_id", t.writer().isPresent() ? t.writer().getAsLong() : null);
    out.put("job_status", t.writerStatus().map(Enum::name).orElse(null));
    out.putAll(figures);
    return out;
  }

  /** A table of the manifest with no active revision yet: nothing extracted, no job. */
  private static Map<String, Object> none(String table) {
    ActiveTable empty =
        new ActiveTable(
            new TableProgress(table, 0, OptionalLong.empty(), 0, 0, 0),
            OptionalLong.empty(),
            OptionalLong.empty(),
            Optional.empty());
    Map<String, Object> out = view(empty, Map.of());
    out.put("revision_id", null);
    return out;
  }

  private Dataset find(Request r) {
    String namespace = r.param("namespace");
    String name = r.param("name");
    String revision = r.param("revision");
    Revisions.checkPath(namespace, name, revision);
    DatasetRepository datasets = new DatasetRepository(dataSource);
    return Revisions.resolve(datasets.versions(namespace, name), revision)
        .flatMap(v -> datasets.find(v.ref()))
        .orElseThrow(() -> Revisions.notFound(namespace, name, revision));
  }
}
