package io.ampd.metadb;

/**
 * Where a metadata database's schema stands.
 *
 * @param current highest applied version, 0 for an empty database
 * @param latest highest version this ampd knows
 */
public record SchemaStatus(int current, int latest) {
  public boolean upToDate() {
    return current == latest;
  }
}
