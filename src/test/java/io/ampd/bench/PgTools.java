package io.ampd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL binaries ampd would pick (the first {@code initdb}/{@code postgres} on {@code
 * PATH}) and how to run them: as root, under {@code setpriv} as the unprivileged OS user, as ampd's
 * supervisor does; otherwise directly.
 */
record PgTools(Path initdb, Path postgres, boolean asRoot, String osUser) {

  static PgTools fromPath(String pathVariable, boolean asRoot, String osUser) {
    return new PgTools(
        onPath(pathVariable, "initdb"), onPath(pathVariable, "postgres"), asRoot, osUser);
  }

  /** {@code command} run as the PostgreSQL OS user. */
  List<String> asPgUser(List<String> command) {
    List<String> argv = new ArrayList<>();
    if (asRoot) {
      argv.addAll(
          List.of("setpriv", "--reuid=" + osUser, "--regid=" + osUser, "--init-groups", "--"));
    }
    argv.addAll(command);
    return argv;
  }

  /** An empty 0700 dir owned by the PostgreSQL OS user, for initdb to fill. */
  Path newDataDir(Path dir) throws IOException {
    Files.createDirectory(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    if (asRoot) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      view.setOwner(users.lookupPrincipalByName(osUser));
      GroupPrincipal group = users.lookupPrincipalByGroupName(osUser);
      view.setGroup(group);
    }
    return dir;
  }

  private static Path onPath(String pathVariable, String name) {
    for (String dir : pathVariable.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new BenchException(
        "no " + name + " on PATH (" + pathVariable + ")",
        "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) so the floors can be"
            + " measured with the binaries ampd picks");
  }
}
