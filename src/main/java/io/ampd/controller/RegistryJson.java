package io.ampd.controller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.controller.http.ApiException;
import io.ampd.metadb.DatasetVersion;
import io.ampd.metadb.StoredProvider;
import io.ampd.registry.Dataset;
import io.ampd.registry.InvalidDocumentException;
import io.ampd.registry.ManifestParser;
import io.ampd.registry.ProviderParser;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The JSON the provider and dataset routes answer with (snake_case, times as ISO-8601 UTC), and the
 * 400 for a document that does not validate. A provider's URL is always the redacted one.
 */
final class RegistryJson {
  private RegistryJson() {}

  static ObjectNode provider(StoredProvider stored) {
    ObjectNode o = (ObjectNode) ProviderParser.toJson(stored.provider(), true);
    o.put("created_at", stored.createdAt().toString());
    o.put("updated_at", stored.updatedAt().toString());
    return o;
  }

  static ObjectNode datasetVersion(Dataset d) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("namespace", d.ref().namespace());
    o.put("name", d.ref().name());
    o.put("version", d.ref().version());
    o.put("manifest_hash", d.manifestHash());
    o.set("manifest", ManifestParser.toJson(d.manifest()));
    o.put("created_at", d.createdAt().toString());
    return o;
  }

  static ObjectNode versionSummary(DatasetVersion v) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("version", v.ref().version());
    o.put("manifest_hash", v.manifestHash());
    o.put("created_at", v.createdAt().toString());
    return o;
  }

  /** The data source, or 503 while the metadata database is not open yet. */
  static DataSource ready(Supplier<DataSource> dataSource) {
    DataSource ds = dataSource.get();
    if (ds == null) {
      throw new ApiException(
          503, "METADATA_DB_UNAVAILABLE", "the metadata database is not ready yet", null);
    }
    return ds;
  }

  /**
   * 400 naming the field: {@code {"error_code": code, "error_message": "...", "details": {"field":
   * "manifest.start_block"}}}.
   */
  static ApiException badDocument(String code, InvalidDocumentException e) {
    return new ApiException(
        400, code, e.getMessage(), e.field().isEmpty() ? null : Map.of("field", e.field()));
  }
}
