package io.ampd.metadb;

import io.ampd.registry.DatasetRef;
import java.time.Instant;

/** A row of {@code datasets}: a version and the hash of its manifest, without the manifest. */
public record DatasetVersion(DatasetRef ref, String manifestHash, Instant createdAt) {}
