package io.ampd.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class DatasetKindTest {
  @Test
  void looksKindsUpByTheirNameInDocuments() {
    assertSame(DatasetKind.EVM_RPC, DatasetKind.byName("evm-rpc"));
    assertEquals("evm-rpc", DatasetKind.EVM_RPC.kindName());
    assertNull(DatasetKind.byName("EVM_RPC"));
    assertNull(DatasetKind.byName("solana"));
    assertNull(DatasetKind.byName(""));
  }

  @Test
  void namesEveryKindForErrorMessages() {
    assertEquals("evm-rpc", DatasetKind.names());
    assertEquals("\"evm-rpc\"", DatasetKind.expected());
  }
}
