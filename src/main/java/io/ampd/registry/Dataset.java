package io.ampd.registry;

import java.time.Instant;

/** A registered dataset version and its manifest. */
public record Dataset(
    DatasetRef ref, String manifestHash, EvmRpcManifest manifest, Instant createdAt) {}
