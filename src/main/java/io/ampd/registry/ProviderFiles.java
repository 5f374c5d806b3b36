package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ampd.config.TomlText;
import io.ampd.core.AmpdException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the providers in {@code providers_dir}: every {@code *.toml} file holds one provider, with
 * the fields of {@link ProviderParser} as top-level keys. The {@code name} field is what datasets
 * refer to; a file without one is named after the file, as Amp names its provider files ({@code
 * mainnet.toml} is provider {@code mainnet}). Two files naming the same provider are an error. The
 * controller upserts them into the {@code providers} table at start, so an edited file replaces the
 * stored provider; removing a file does not delete the provider (use {@code DELETE
 * /providers/{name}}).
 *
 * <p>Any error names the file, and the field where there is one; ampd refuses to start on it.
 */
public final class ProviderFiles {
  private ProviderFiles() {}

  /** The providers defined in {@code dir}, by file name; none when {@code dir} does not exist. */
  public static List<ProviderConfig> load(Path dir) {
    List<ProviderConfig> out = new ArrayList<>();
    Map<String, Path> seen = new HashMap<>();
    for (RegistryFiles.Text text : RegistryFiles.read(dir, ".toml", "providers_dir")) {
      ProviderConfig provider = parse(text.file(), text.content());
      Path other = seen.putIfAbsent(provider.name(), text.file());
      if (other != null) {
        throw new AmpdException(
            text.file() + ": provider '" + provider.name() + "' is also defined in " + other,
            "give each provider file its own name");
      }
      out.add(provider);
    }
    return out;
  }

  /** One provider file's content; {@code file} names it in errors. */
  public static ProviderConfig parse(Path file, String toml) {
    JsonNode tree;
    try {
      tree = TomlText.parse(toml);
    } catch (TomlText.Invalid e) {
      throw new AmpdException(
          file
              + ": not valid TOML: "
              + (e.line() > 0 ? "line " + e.line() + ": " : "")
              + e.getMessage(),
          "fix the TOML syntax; see .amp.example/providers/mainnet.toml");
    }
    String stem = file.getFileName().toString().replaceFirst("\\.toml$", "");
    if (tree instanceof ObjectNode o && !o.hasNonNull("name")) {
      o.put("name", stem);
    }
    try {
      return ProviderParser.parse(tree);
    } catch (InvalidDocumentException e) {
      throw RegistryFiles.inFile(file, e);
    }
  }
}
