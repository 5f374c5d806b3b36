package io.ampd.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * The kinds of dataset ampd knows: the one place a kind's name is written. The name appears in
 * manifests and provider documents ({@code "kind"}), in the {@code manifests}, {@code providers}
 * and {@code jobs} tables, and keys the worker's job runners.
 */
public enum DatasetKind {
  /** Blocks, transactions and logs read from an Ethereum JSON-RPC endpoint. */
  EVM_RPC("evm-rpc");

  private static final DatasetKind[] ALL = values();

  private final String kindName;

  DatasetKind(String kindName) {
    this.kindName = kindName;
  }

  /** The name written in documents and stored in the metadata tables, e.g. {@code evm-rpc}. */
  public String kindName() {
    return kindName;
  }

  /** The kind with this name, or {@code null} if ampd knows none by it. */
  public static DatasetKind byName(String name) {
    for (DatasetKind k : ALL) {
      if (k.kindName.equals(name)) {
        return k;
      }
    }
    return null;
  }

  /** The names of every kind, unquoted and comma-separated, for messages: {@code evm-rpc}. */
  public static String names() {
    List<String> names = new ArrayList<>(ALL.length);
    for (DatasetKind k : ALL) {
      names.add(k.kindName);
    }
    return String.join(", ", names);
  }

  /**
   * What an error message expects of a {@code kind} field: {@code "evm-rpc"} while there is one
   * kind, {@code one of "a", "b"} once there are more.
   */
  public static String expected() {
    List<String> quoted = new ArrayList<>(ALL.length);
    for (DatasetKind k : ALL) {
      quoted.add(DocumentReader.quote(k.kindName));
    }
    return (ALL.length == 1 ? "" : "one of ") + String.join(", ", quoted);
  }

  @Override
  public String toString() {
    return kindName;
  }
}
