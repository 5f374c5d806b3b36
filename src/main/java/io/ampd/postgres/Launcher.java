package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts initdb and postgres as the right user and tied to this JVM's life. On Linux the command is
 * wrapped as {@code setpriv [--reuid --regid --init-groups] --pdeathsig=INT -- setsid CMD}: setpriv
 * switches to the PostgreSQL user first and sets the parent-death signal after that (the kernel
 * clears it on a credential change), setsid puts PostgreSQL in its own session so a Ctrl+C in the
 * terminal reaches only ampd, which then stops PostgreSQL in order. Neither forks, so the child's
 * pid is the postmaster's. Spawns go through {@link Spawner}.
 *
 * <p>SIGINT is the parent-death signal: a fast shutdown, gentler than SIGKILL and quick.
 */
final class Launcher {
  static final String PDEATHSIG = "INT";

  private final OsUser user;
  private final Map<String, String> env;
  private final Optional<Path> setpriv;
  private final Optional<Path> setsid;
  private final Path workDir;

  Launcher(OsUser user, Map<String, String> env, Host host, Path workDir) {
    this.user = user;
    this.env = childEnv(env);
    this.workDir = workDir;
    this.setpriv = host.isLinux() ? find("setpriv", env) : Optional.empty();
    this.setsid = host.isLinux() ? find("setsid", env) : Optional.empty();
    if (user.switchUser() && setpriv.isEmpty()) {
      throw new AmpdException(
          "ampd runs as root and must start PostgreSQL as user '"
              + user.name()
              + "', but setpriv (util-linux) was not found",
          "install util-linux, or run ampd as an unprivileged user");
    }
  }

  /** True when a JVM death takes the child down (Linux with setpriv). */
  boolean tiesChildToJvm() {
    return setpriv.isPresent();
  }

  /**
   * Starts {@code command}; {@code ownSession} puts it in a new session (PostgreSQL, not initdb).
   * stdout and stderr are merged.
   */
  Process start(List<String> command, boolean ownSession) throws IOException {
    List<String> argv = new ArrayList<>();
    if (setpriv.isPresent()) {
      argv.add(setpriv.get().toString());
      argv.addAll(user.setprivArgs());
      argv.add("--pdeathsig=" + PDEATHSIG);
      argv.add("--");
    }
    if (ownSession && setsid.isPresent()) {
      argv.add(setsid.get().toString());
    }
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.directory(workDir.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    return Spawner.start(builder);
  }

  /** The environment handed to PostgreSQL: ours without libpq/PG* variables. */
  private static Map<String, String> childEnv(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (!k.startsWith("PG") && !k.startsWith("AMP_")) {
            out.put(k, v);
          }
        });
    out.putIfAbsent("PATH", "/usr/bin:/bin");
    return out;
  }

  private static Optional<Path> find(String program, Map<String, String> env) {
    List<String> dirs = new ArrayList<>();
    String path = env.get("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
