package io.ampd.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Feeds a distinctive password through every error path: it must never come out. */
class ConfigPasswordLeakTest {
  private static final String PW = "Zq7-SeCrEt";
  private static final String PW_ENC = "Zq7%2DSeCrEt";

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    String url = "postgresql://amp:" + PW + "@db";
    return Stream.of(
        // bad URLs, in the file
        Arguments.of("[metadata_db]\nurl = \"" + url + ":notaport/amp\"\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"" + url + "/amp?bogus=1\"\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"" + url + "/amp?sslmode=maybe\"\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"mysql://amp:" + PW + "@db/amp\"\n", Map.of()),
        Arguments.of(
            "[metadata_db]\nurl = \"postgresql://db/amp?password=" + PW_ENC + "&x=1\"\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"postgresql://amp:" + PW + "?@db:x/amp\"\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"postgresql://amp:" + PW + "%zz@db/amp\"\n", Map.of()),
        // bad types carrying a password
        Arguments.of("[metadata_db]\nurl = [\"" + url + "/amp\"]\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = { u = \"" + url + "/amp\" }\n", Map.of()),
        Arguments.of("data_dir = 5\n[metadata_db]\npool_size = \"" + url + "\"\n", Map.of()),
        Arguments.of("admin_api_addr = \"" + url + "/amp\"\n", Map.of()),
        Arguments.of("[metadata_db]\nauto_migrate = \"" + url + "/amp\"\n", Map.of()),
        // unknown keys and TOML syntax errors next to a password
        Arguments.of("[metadata_db]\nurl = \"" + url + "/amp\"\npool = 1\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"" + url + "/amp\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"" + url + "\\q/amp\"\n", Map.of()),
        Arguments.of("[metadata_db]\nurl = \"" + url + "/amp\"\nurl = \"x\"\n", Map.of()),
        // the same through the environment
        Arguments.of(null, Map.of("AMP_CONFIG_METADATA_DB__URL", url + ":notaport/amp")),
        Arguments.of(null, Map.of("AMP_CONFIG_METADATA_DB__URL", url + "/amp?bogus=1")),
        Arguments.of(
            null, Map.of("AMP_CONFIG_METADATA_DB__URL", "postgresql://db/?password=" + PW + "&a")),
        Arguments.of(null, Map.of("AMP_CONFIG_METADATA_DB__POOL_SIZE", url)),
        Arguments.of(null, Map.of("AMP_CONFIG_JSONL_ADDR", url)),
        Arguments.of(null, Map.of("AMP_CONFIG_METADATA_DB__AUTO_MIGRATE", url)),
        Arguments.of(
            null,
            Map.of(
                "AMP_CONFIG_METADATA_DB__URL", url + "/amp", "AMP_CONFIG_METADATA_DB__POOL", "1")),
        Arguments.of(
            "[metadata_db]\nurl = \"" + url + "/amp\"\n",
            Map.of("AMP_CONFIG_METADATA_DB__POOL_SIZE", "0")));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void noMessageShowsThePassword(String toml, Map<String, String> env) throws IOException {
    Optional<Path> file = Optional.empty();
    if (toml != null) {
      file = Optional.of(Files.writeString(dir.resolve("config.toml"), toml));
    }
    Optional<Path> f = file;
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(f, dir, env, false));
    String all = e.getMessage() + "\n" + e.hint();
    for (String piece : new String[] {PW, PW_ENC, "SeCrEt", "Zq7"}) {
      assertFalse(all.contains(piece), all);
    }
  }
}
