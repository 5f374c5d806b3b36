package io.ampd.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Unpacks the bundled PostgreSQL binaries for the release archive, where {@code bin/ampd} points
 * the supervisor at them ({@link BundledBinaries#UNPACKED_PROPERTY}): a first start then skips the
 * seconds of unpacking. Run by the build: {@code ReleasePostgres <output dir>}.
 */
public final class ReleasePostgres {
  private ReleasePostgres() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    if (Files.exists(out)) {
      FileTrees.deleteRecursively(out);
    }
    Files.createDirectories(out.getParent());
    Host host = Host.current();
    PostgresSettings settings = PostgresSettings.defaults(out, Map.of(), host);
    String version = new BundledBinaries(settings).unpackInto(out);
    System.out.println("release: PostgreSQL " + version + " unpacked into " + out);
  }
}
