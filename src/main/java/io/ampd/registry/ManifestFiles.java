package io.ampd.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.core.AmpdException;
import io.ampd.core.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the dataset registrations in {@code manifests_dir}: every {@code *.json} file holds one
 * {@link DatasetRegistration} ({@code namespace}, {@code name}, {@code version}, {@code manifest}).
 * Other files (a README) are ignored. Two files registering the same version with different
 * manifests are an error naming both; the controller registers the rest at start, where a version
 * already registered with another manifest is an error too (a registered version is immutable: give
 * a changed manifest a new version).
 *
 * <p>Any error names the file, and the field where there is one; ampd refuses to start on it.
 */
public final class ManifestFiles {
  /** A registration and the file it came from, for messages. */
  public record ManifestFile(Path file, DatasetRegistration registration) {}

  private ManifestFiles() {}

  /** The registrations in {@code dir}, by file name; none when {@code dir} does not exist. */
  public static List<ManifestFile> load(Path dir) {
    List<ManifestFile> out = new ArrayList<>();
    Map<DatasetRef, ManifestFile> seen = new HashMap<>();
    for (RegistryFiles.Text text : RegistryFiles.read(dir, ".json", "manifests_dir")) {
      ManifestFile file = new ManifestFile(text.file(), parse(text.file(), text.content()));
      ManifestFile other = seen.putIfAbsent(file.registration().ref(), file);
      if (other == null) {
        out.add(file);
      } else if (!other.registration().equals(file.registration())) {
        throw new AmpdException(
            text.file()
                + ": dataset "
                + file.registration().ref()
                + " is also registered by "
                + other.file()
                + " with a different manifest",
            "give the changed manifest a new version");
      }
    }
    return out;
  }

  /** One registration file's content; {@code file} names it in errors. */
  public static DatasetRegistration parse(Path file, String json) {
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new AmpdException(
          file + ": not valid JSON: " + RegistryFiles.reason(e, "invalid JSON"),
          "fix the JSON syntax; see .amp.example/manifests/example.json");
    }
    try {
      return DatasetRegistration.parse(tree);
    } catch (InvalidDocumentException e) {
      throw RegistryFiles.inFile(file, e);
    }
  }
}
