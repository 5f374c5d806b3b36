package io.ampd.metadb;

import io.ampd.registry.ProviderConfig;
import java.time.Instant;

/** A row of {@code providers}: the provider and when it was created and last changed. */
public record StoredProvider(ProviderConfig provider, Instant createdAt, Instant updatedAt) {}
