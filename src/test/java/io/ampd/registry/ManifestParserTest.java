package io.ampd.registry;

import static io.ampd.registry.ProviderParserTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
  private static final String BASE = "{'kind':'evm-rpc','network':'mainnet','start_block':5";

  private static String error(String manifest) throws Exception {
    return assertThrows(InvalidDocumentException.class, () -> ManifestParser.parse(json(manifest)))
        .getMessage();
  }

  private static String registrationError(String doc) throws Exception {
    return assertThrows(InvalidDocumentException.class, () -> DatasetRegistration.parse(json(doc)))
        .getMessage();
  }

  @Test
  void minimalManifestExtractsEveryTableFollowingTheHead() throws Exception {
    assertEquals(
        new EvmRpcManifest("mainnet", 5, OptionalLong.empty(), 0, List.of(EvmTable.values())),
        ManifestParser.parse(json(BASE + "}")));
    assertEquals(
        new EvmRpcManifest("mainnet", 5, OptionalLong.empty(), 0, List.of(EvmTable.values())),
        ManifestParser.parse(json(BASE + ",'end_block':null}")));
  }

  @Test
  void everyFieldIsRead() throws Exception {
    assertEquals(
        new EvmRpcManifest(
            "mainnet", 5, OptionalLong.of(9), 12, List.of(EvmTable.BLOCKS, EvmTable.LOGS)),
        ManifestParser.parse(
            json(BASE + ",'end_block':9,'confirmations':12,'tables':['logs','blocks']}")));
  }

  @Test
  void canonicalFormSortsKeysAndSpellsOutDefaults() throws Exception {
    EvmRpcManifest m =
        ManifestParser.parse(json(BASE + ",'end_block':9,'tables':['logs','blocks']}"));
    assertEquals(
        "{\"confirmations\":0,\"end_block\":9,\"kind\":\"evm-rpc\",\"network\":\"mainnet\","
            + "\"start_block\":5,\"tables\":[\"blocks\",\"logs\"]}",
        ManifestParser.canonicalText(m));
    assertEquals(m, ManifestParser.parse(ManifestParser.toJson(m)));
  }

  @Test
  void theHashFollowsTheMeaning() throws Exception {
    String implicit = ManifestParser.hash(ManifestParser.parse(json(BASE + "}")));
    String explicit =
        ManifestParser.hash(
            ManifestParser.parse(
                json(BASE + ",'confirmations':0,'tables':['logs','transactions','blocks']}")));
    assertEquals(implicit, explicit);
    assertNotEquals(
        implicit, ManifestParser.hash(ManifestParser.parse(json(BASE + ",'end_block':5}"))));
    // sha256 of the canonical text, computed independently:
    // printf '%s' '{"confirmations":0,"kind":"evm-rpc","network":"mainnet","start_block":5,\
    //   "tables":["blocks","transactions","logs"]}' | sha256sum   (as one line)
    assertEquals("47c0e842ab799392802034cf2f765d126a75c730a6fd72a398b05ffaaa5f5e36", implicit);
  }

  @Test
  void errorsNameFieldValueAndRule() throws Exception {
    assertEquals("manifest field 'kind' is required", error("{}"));
    assertEquals("manifest field 'kind' is \"evm\", expected \"evm-rpc\"", error("{'kind':'evm'}"));
    assertEquals(
        "manifest field 'start_block' is required", error("{'kind':'evm-rpc','network':'m'}"));
    assertEquals(
        "manifest field 'start_block' is -1, expected 0 or more",
        error("{'kind':'evm-rpc','network':'m','start_block':-1}"));
    assertEquals(
        "manifest field 'start_block' is 18446744073709551616, expected 0 or more",
        error("{'kind':'evm-rpc','network':'m','start_block':18446744073709551616}"));
    assertEquals(
        "manifest field 'end_block' is 4, expected start_block (5) or more",
        error(BASE + ",'end_block':4}"));
    assertEquals(
        "manifest field 'confirmations' is 10001, expected 0 to 10000",
        error(BASE + ",'confirmations':10001}"));
    assertEquals(
        "manifest field 'tables' is empty, expected at least one of blocks, transactions, logs",
        error(BASE + ",'tables':[]}"));
    assertEquals(
        "manifest field 'tables' holds \"receipts\", expected one of blocks, transactions, logs",
        error(BASE + ",'tables':['receipts']}"));
    assertEquals(
        "manifest field 'tables' holds \"logs\" twice", error(BASE + ",'tables':['logs','logs']}"));
    assertEquals(
        "manifest field 'tables' must be an array of strings, got a string",
        error(BASE + ",'tables':'logs'}"));
    assertEquals(
        "manifest field 'start' is unknown; known fields: kind, network, start_block, end_block,"
            + " confirmations, tables",
        error(BASE + ",'start':1}"));
  }

  @Test
  void registrationReadsRefAndManifest() throws Exception {
    DatasetRegistration r =
        DatasetRegistration.parse(
            json(
                "{'namespace':'ex','name':'eth_1','version':'1.0.0-rc.1','manifest':"
                    + BASE
                    + "}}"));
    assertEquals(new DatasetRef("ex", "eth_1", "1.0.0-rc.1"), r.ref());
    assertEquals(5, r.manifest().startBlock());
    assertEquals(r, DatasetRegistration.parse(r.toJson()));
  }

  @Test
  void registrationErrorsNameTheNestedField() throws Exception {
    assertEquals("dataset field 'namespace' is required", registrationError("{}"));
    assertEquals(
        "dataset field 'version' is \"1.0+build\", expected a letter or digit, then letters,"
            + " digits, _ - . (at most 64 characters)",
        registrationError("{'namespace':'a','name':'b','version':'1.0+build'}"));
    assertEquals(
        "dataset field 'name' is \"..\", expected a letter or digit, then letters, digits, _ - ."
            + " (at most 64 characters)",
        registrationError("{'namespace':'a','name':'..'}"));
    assertEquals(
        "dataset field 'manifest' is required",
        registrationError("{'namespace':'a','name':'b','version':'1'}"));
    assertEquals(
        "dataset field 'manifest' must be a JSON object, got a string",
        registrationError("{'namespace':'a','name':'b','version':'1','manifest':'x'}"));
    InvalidDocumentException e =
        assertThrows(
            InvalidDocumentException.class,
            () ->
                DatasetRegistration.parse(
                    json(
                        "{'namespace':'a','name':'b','version':'1',"
                            + "'manifest':{'kind':'evm-rpc','network':'m','start_block':-1}}")));
    assertEquals("dataset field 'manifest.start_block' is -1, expected 0 or more", e.getMessage());
    assertEquals("manifest.start_block", e.field());
  }
}
