package io.ampd.registry;

import java.util.List;
import java.util.OptionalLong;

/**
 * An {@code evm-rpc} dataset manifest, validated.
 *
 * @param network the network to extract from; a provider of that network serves it
 * @param startBlock first block, inclusive
 * @param endBlock last block, inclusive; empty: follow the chain head until stopped
 * @param confirmations when following the head, stay this many blocks behind it
 * @param tables which tables to extract (at least one of blocks, transactions, logs)
 */
public record EvmRpcManifest(
    String network,
    long startBlock,
    OptionalLong endBlock,
    int confirmations,
    List<EvmTable> tables) {}
