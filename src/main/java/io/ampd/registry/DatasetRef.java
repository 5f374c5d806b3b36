package io.ampd.registry;

/** A dataset version: {@code namespace/name@version}. */
public record DatasetRef(String namespace, String name, String version) {
  @Override
  public String toString() {
    return namespace + "/" + name + "@" + version;
  }
}
