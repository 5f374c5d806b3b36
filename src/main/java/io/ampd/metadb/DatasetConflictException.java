package io.ampd.metadb;

import io.ampd.core.AmpdException;
import io.ampd.registry.DatasetRef;

/** A dataset version is already registered with another manifest: versions are immutable. */
public final class DatasetConflictException extends AmpdException {
  private static final long serialVersionUID = 1L;

  private final DatasetRef ref;
  private final String registeredHash;
  private final String givenHash;

  DatasetConflictException(DatasetRef ref, String registeredHash, String givenHash) {
    super(
        "dataset "
            + ref
            + " is already registered with manifest "
            + registeredHash
            + ", not "
            + givenHash,
        "a registered version never changes: register the changed manifest under a new version");
    this.ref = ref;
    this.registeredHash = registeredHash;
    this.givenHash = givenHash;
  }

  public DatasetRef ref() {
    return ref;
  }

  public String registeredHash() {
    return registeredHash;
  }

  public String givenHash() {
    return givenHash;
  }
}
