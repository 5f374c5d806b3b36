package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A request to register a dataset version: the body of {@code POST /datasets} and the content of a
 * file in {@code manifests_dir}.
 *
 * <pre>
 * {"namespace": "example",   a letter or digit, then letters, digits, _ - . (64 max); or _
 *  "name": "eth",            same
 *  "version": "1.0.0",       same; semver is customary, any such string is accepted
 *  "manifest": {…}}          see {@link ManifestParser}
 * </pre>
 *
 * Versions are opaque labels: ampd never orders them by their text, only by registration time.
 * Errors inside the manifest name the field as {@code manifest.<field>}.
 */
public record DatasetRegistration(DatasetRef ref, EvmRpcManifest manifest) {
  private static final String DOC = "dataset";
  private static final String HINT =
      "a dataset is {\"namespace\": …, \"name\": …, \"version\": …, \"manifest\": {…}};"
          + " see .amp.example/manifests/README.md";
  private static final List<String> FIELDS = List.of("namespace", "name", "version", "manifest");

  /** Validates a registration document. */
  public static DatasetRegistration parse(JsonNode document) {
    DocumentReader r = DocumentReader.of(DOC, "", document, FIELDS, HINT);
    String namespace = r.requiredMatching("namespace", Names.NAMESPACE, Names.NAMESPACE_RULE);
    String name = r.requiredMatching("name", Names.DATASET_PART, Names.DATASET_PART_RULE);
    String version = r.requiredMatching("version", Names.DATASET_PART, Names.DATASET_PART_RULE);
    EvmRpcManifest manifest = ManifestParser.parse(r.required("manifest"), DOC, "manifest");
    return new DatasetRegistration(new DatasetRef(namespace, name, version), manifest);
  }

  /** Whether {@code part} is a valid name or version. */
  public static boolean isValidPart(String part) {
    return part != null && Names.DATASET_PART.matcher(part).matches();
  }

  /** Whether {@code namespace} is a valid namespace: a valid part, or {@code _}. */
  public static boolean isValidNamespace(String namespace) {
    return namespace != null && Names.NAMESPACE.matcher(namespace).matches();
  }

  /** The registration document, with the manifest in canonical form. */
  public JsonNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("namespace", ref.namespace());
    o.put("name", ref.name());
    o.put("version", ref.version());
    o.set("manifest", ManifestParser.toJson(manifest));
    return o;
  }
}
