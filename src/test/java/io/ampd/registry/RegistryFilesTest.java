package io.ampd.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProviderFiles} and {@link ManifestFiles}, including the shipped examples. */
class RegistryFilesTest {
  private static final Path EXAMPLE = Path.of(".amp.example");

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void exampleProviderLoadsWithEveryFieldAtItsDefault() {
    List<ProviderConfig> providers = ProviderFiles.load(EXAMPLE.resolve("providers"));
    assertEquals(1, providers.size());
    ProviderConfig p = providers.get(0);
    assertEquals("mainnet", p.name());
    assertEquals("mainnet", p.network());
    assertEquals("http://127.0.0.1:8545", p.url());
    ProviderConfig defaults =
        ProviderParser.parse(
            ((com.fasterxml.jackson.databind.node.ObjectNode) ProviderParser.toJson(p, false))
                .without(
                    List.of(
                        "concurrency",
                        "batch_size",
                        "request_timeout_ms",
                        "rate_limit_per_sec",
                        "max_response_bytes",
                        "retry")));
    assertEquals(defaults, p, "the example documents the defaults");
  }

  @Test
  void exampleManifestLoads() {
    List<ManifestFiles.ManifestFile> files = ManifestFiles.load(EXAMPLE.resolve("manifests"));
    assertEquals(1, files.size(), "README.md is not a manifest");
    DatasetRegistration r = files.get(0).registration();
    assertEquals(new DatasetRef("example", "mainnet", "1.0.0"), r.ref());
    assertEquals(OptionalLong.of(1000), r.manifest().endBlock());
    assertTrue(
        readme().contains(ManifestParser.canonicalText(r.manifest())),
        "the README quotes the example's canonical form");
  }

  private static String readme() {
    try {
      return Files.readString(EXAMPLE.resolve("manifests/README.md"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Amp's own provider files: edgeandnode/amp {@code tests/config/providers/rpc_anvil.toml} as it
   * is (no {@code name}: Amp names a provider after its file), and {@code rpc_eth_mainnet.toml}
   * with its {@code ${...}} variables written out (ampd does not substitute them) plus the fields
   * of {@code docs/feat/provider-evm-rpc.md}'s full configuration.
   */
  @Test
  void ampsProviderFilesLoad() throws IOException {
    write(
        "rpc_anvil.toml",
        "kind = \"evm-rpc\"\n"
            + "url = \"http://localhost:8545\" # This is substituted at runtime (see"
            + " `test_support.ts`)\n"
            + "network = \"anvil\"\n");
    write(
        "rpc_eth_mainnet.toml",
        "kind = \"evm-rpc\"\n"
            + "url = \"https://eth-mainnet.example.com/\"\n"
            + "auth_header = \"Drpc-Key\"\n"
            + "auth_token = \"s3cr3t-t0ken\"\n"
            + "network = \"mainnet\"\n"
            + "concurrent_request_limit = 256\n"
            + "rpc_batch_size = 100\n"
            + "rate_limit_per_minute = 1000\n"
            + "timeout_secs = 30\n");
    List<ProviderConfig> providers = ProviderFiles.load(dir);
    ProviderConfig anvil = providers.get(0);
    assertEquals("rpc_anvil", anvil.name());
    assertEquals("anvil", anvil.network());
    assertEquals("http://localhost:8545", anvil.url());
    assertEquals(ProviderAuth.NONE, anvil.auth());
    ProviderConfig mainnet = providers.get(1);
    assertEquals("rpc_eth_mainnet", mainnet.name());
    assertEquals(new ProviderAuth("Drpc-Key", "s3cr3t-t0ken"), mainnet.auth());
    assertEquals(256, mainnet.concurrency());
    assertEquals(100, mainnet.batchSize());
    assertEquals(1000, mainnet.rateLimitPerMinute());
    assertEquals(java.time.Duration.ofSeconds(30), mainnet.requestTimeout());
  }

  @Test
  void ampFilesBeyondAmpdsLimitsAreRefusedInOneLine() throws IOException {
    // docs/feat/provider-evm-rpc.md's full configuration asks for 512 requests in flight
    Path file =
        write(
            "mainnet.toml",
            "kind = \"evm-rpc\"\nnetwork = \"mainnet\"\nurl = \"http://h\"\n"
                + "concurrent_request_limit = 512\n");
    AmpdException e = assertThrows(AmpdException.class, () -> ProviderFiles.load(dir));
    assertEquals(
        file + ": provider field 'concurrent_request_limit' is 512, expected 1 to 256",
        e.getMessage());
    Files.delete(file);
    Path ws =
        write(
            "ws.toml",
            "kind = \"evm-rpc\"\n"
                + "network = \"mainnet\"\n"
                + "url ="
                + " \"wss://eth-mainnet.g.alchemy.com/v2/9aa3d95b3bc440fa88ea12eaa4456161\"\n");
    e = assertThrows(AmpdException.class, () -> ProviderFiles.load(dir));
    assertEquals(
        ws
            + ": provider field 'url' is \"wss://eth-mainnet.g.alchemy.com/v2/***\": WebSocket"
            + " endpoints are not supported, only http:// and https:// (give the node's HTTP URL)",
        e.getMessage());
  }

  @Test
  void aMissingFolderHoldsNothing() {
    assertEquals(List.of(), ProviderFiles.load(dir.resolve("nope")));
    assertEquals(List.of(), ManifestFiles.load(dir.resolve("nope")));
  }

  @Test
  void filesAreReadByNameSkippingOthers() throws IOException {
    write("b.toml", "name = 'b'\nkind = 'evm-rpc'\nnetwork = 'n'\nurl = 'http://h'\n");
    write("a.toml", "name = 'a'\nkind = 'evm-rpc'\nnetwork = 'n'\nurl = 'http://h'\n");
    write(".hidden.toml", "broken");
    write("notes.txt", "broken");
    Files.createDirectory(dir.resolve("dir.toml"));
    assertEquals(
        List.of("a", "b"), ProviderFiles.load(dir).stream().map(ProviderConfig::name).toList());
  }

  @Test
  void aBadProviderFileNamesFileAndField() throws IOException {
    Path file =
        write(
            "p.toml",
            "name = 'p'\n"
                + "kind = 'evm-rpc'\n"
                + "network = 'n'\n"
                + "url = 'https://u:hunter2@h'\n"
                + "concurrency = 0\n");
    AmpdException e = assertThrows(AmpdException.class, () -> ProviderFiles.load(dir));
    assertEquals(file + ": provider field 'concurrency' is 0, expected 1 to 256", e.getMessage());
    assertTrue(e.hint().contains("mainnet.toml"), e.hint());
  }

  @Test
  void providerFileErrorsNeverShowCredentials() throws IOException {
    Path file =
        write("p.toml", "name = 'p'\nkind = 'evm-rpc'\nnetwork = 'n'\nurl = 'ftp://u:hunter2@h'\n");
    AmpdException e = assertThrows(AmpdException.class, () -> ProviderFiles.load(dir));
    assertEquals(
        file
            + ": provider field 'url' is \"ftp://u:***@h\", expected an http:// or https:// URL"
            + " with a host",
        e.getMessage());
  }

  @Test
  void invalidTomlNamesFileAndLine() throws IOException {
    Path file = write("p.toml", "name = 'p'\nkind = \n");
    AmpdException e = assertThrows(AmpdException.class, () -> ProviderFiles.load(dir));
    assertTrue(e.getMessage().startsWith(file + ": not valid TOML: line 2: "), e.getMessage());
  }

  @Test
  void aDuplicateKeyIsReportedOnItsOwnLine() throws IOException {
    Path file = write("p.toml", "name = 'p'\nkind = 'evm-rpc'\nname = 'q'\n\nnetwork = 'n'\n");
    AmpdException e = assertThrows(AmpdException.class, () -> ProviderFiles.load(dir));
    assertTrue(
        e.getMessage().startsWith(file + ": not valid TOML: line 3: duplicate key"),
        e.getMessage());
  }

  @Test
  void twoFilesMayNotDefineOneProvider() throws IOException {
    Path a = write("a.toml", "name = 'p'\nkind = 'evm-rpc'\nnetwork = 'n'\nurl = 'http://h'\n");
    Path b = write("b.toml", "name = 'p'\nkind = 'evm-rpc'\nnetwork = 'n'\nurl = 'http://h'\n");
    AmpdException e = assertThrows(AmpdException.class, () -> ProviderFiles.load(dir));
    assertEquals(b + ": provider 'p' is also defined in " + a, e.getMessage());
  }

  private static final String REGISTRATION =
      "{\"namespace\":\"ns\",\"name\":\"d\",\"version\":\"1\",\"manifest\":"
          + "{\"kind\":\"evm-rpc\",\"network\":\"n\",\"start_block\":%d}}";

  @Test
  void aBadManifestFileNamesFileAndField() throws IOException {
    Path file = write("m.json", REGISTRATION.formatted(-3));
    AmpdException e = assertThrows(AmpdException.class, () -> ManifestFiles.load(dir));
    assertEquals(
        file + ": dataset field 'manifest.start_block' is -3, expected 0 or more", e.getMessage());
  }

  @Test
  void invalidJsonNamesFileAndLine() throws IOException {
    Path file = write("m.json", "{\n  \"namespace\": ,\n}");
    AmpdException e = assertThrows(AmpdException.class, () -> ManifestFiles.load(dir));
    assertTrue(e.getMessage().startsWith(file + ": not valid JSON: line 2: "), e.getMessage());
  }

  @Test
  void twoFilesMayRepeatARegistrationButNotChangeIt() throws IOException {
    write("a.json", REGISTRATION.formatted(1));
    write("b.json", REGISTRATION.formatted(1));
    assertEquals(1, ManifestFiles.load(dir).size());
    Path c = write("c.json", REGISTRATION.formatted(2));
    AmpdException e = assertThrows(AmpdException.class, () -> ManifestFiles.load(dir));
    assertEquals(
        c
            + ": dataset ns/d@1 is also registered by "
            + dir.resolve("a.json")
            + " with a different manifest",
        e.getMessage());
  }
}
