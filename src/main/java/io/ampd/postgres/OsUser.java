package io.ampd.postgres;

import io.ampd.core.AmpdException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The OS user PostgreSQL runs as. PostgreSQL refuses to run as root, so a root ampd hands it to an
 * unprivileged user (configured, else {@code postgres}); otherwise PostgreSQL runs as ourselves and
 * {@link #switchUser()} is false.
 *
 * @param name user name
 * @param uid user id
 * @param gid primary group id
 * @param groups every group id the user is in, primary included
 * @param switchUser true when child processes must switch to this user
 */
record OsUser(String name, int uid, int gid, Set<Integer> groups, boolean switchUser) {
  /** How long {@code id} may take. */
  private static final Duration ID_WAIT = Duration.ofSeconds(5);

  static final String DEFAULT_NAME = "postgres";
  private static final Pattern ID_LINE =
      Pattern.compile("uid=(\\d+)\\(([^)]*)\\) gid=(\\d+)\\([^)]*\\)(?: groups=(\\S+))?.*");

  /** The user to run PostgreSQL as, for a process with effective uid {@code euid}. */
  static OsUser resolve(Optional<String> configured, int euid) {
    if (euid != 0) {
      return new OsUser("", euid, -1, Set.of(), false);
    }
    String name = configured.orElse(DEFAULT_NAME);
    Optional<OsUser> user = lookup(name);
    if (user.isEmpty()) {
      if (configured.isPresent()) {
        throw new AmpdException(
            "OS user '" + name + "' (metadata_db.managed.os_user) does not exist",
            "create it with 'useradd --system "
                + name
                + "' or set metadata_db.managed.os_user"
                + " to an existing unprivileged user");
      }
      throw new AmpdException(
          "ampd runs as root and PostgreSQL refuses root, but there is no OS user 'postgres' to"
              + " run it as",
          "create one with 'useradd --system postgres' or set metadata_db.managed.os_user");
    }
    if (user.get().uid == 0) {
      throw new AmpdException(
          "OS user '" + name + "' (metadata_db.managed.os_user) is root; PostgreSQL refuses root",
          "set metadata_db.managed.os_user to an unprivileged user");
    }
    return user.get();
  }

  /**
   * Reads {@code /etc/passwd} and {@code /etc/group} (no process to spawn on the start path); users
   * only NSS knows (LDAP, sssd) are asked of {@code id <name>}.
   */
  static Optional<OsUser> lookup(String name) {
    Optional<OsUser> local = lookupFiles(name, Path.of("/etc/passwd"), Path.of("/etc/group"));
    return local.isPresent() ? local : lookupId(name);
  }

  static Optional<OsUser> lookupFiles(String name, Path passwd, Path group) {
    try {
      for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
        String[] f = line.split(":", -1);
        if (f.length >= 4 && f[0].equals(name)) {
          int uid = Integer.parseInt(f[2]);
          int gid = Integer.parseInt(f[3]);
          Set<Integer> groups = new HashSet<>();
          groups.add(gid);
          for (String g : Files.readAllLines(group, StandardCharsets.UTF_8)) {
            String[] gf = g.split(":", -1);
            if (gf.length >= 4 && List.of(gf[3].split(",")).contains(name)) {
              groups.add(Integer.parseInt(gf[2]));
            }
          }
          return Optional.of(new OsUser(name, uid, gid, Set.copyOf(groups), true));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Runs {@code id <name>}: NSS-aware. */
  static Optional<OsUser> lookupId(String name) {
    try {
      Process id =
          new ProcessBuilder("id", "--", name)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!id.waitFor(ID_WAIT.toMillis(), TimeUnit.MILLISECONDS) || id.exitValue() != 0) {
        return Optional.empty();
      }
      return parseId(out);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  static Optional<OsUser> parseId(String line) {
    Matcher m = ID_LINE.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    int gid = Integer.parseInt(m.group(3));
    List<Integer> groups = new ArrayList<>();
    groups.add(gid);
    if (m.group(4) != null) {
      for (String g : m.group(4).split(",")) {
        int paren = g.indexOf('(');
        groups.add(Integer.parseInt(paren < 0 ? g : g.substring(0, paren)));
      }
    }
    return Optional.of(
        new OsUser(m.group(2), Integer.parseInt(m.group(1)), gid, Set.copyOf(groups), true));
  }

  /** The {@code setpriv} arguments that switch to this user; none when not switching. */
  List<String> setprivArgs() {
    if (!switchUser) {
      return List.of();
    }
    return List.of("--reuid=" + uid, "--regid=" + gid, "--init-groups");
  }

  /**
   * Checks this user can traverse every directory from {@code /} down to {@code dir}'s parent; the
   * error names the first one that blocks it.
   */
  void checkCanReach(Path dir) {
    if (!switchUser) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    List<Path> chain = new ArrayList<>();
    for (Path p = parent; p != null; p = p.getParent()) {
      chain.add(0, p);
    }
    for (Path p : chain) {
      if (!canTraverse(p)) {
        throw new AmpdException(
            "PostgreSQL runs as OS user '"
                + name
                + "', which cannot reach "
                + dir
                + ": it may not enter "
                + p,
            "choose an --amp-dir that user can reach, or allow it with 'chmod o+x " + p + "'");
      }
    }
  }

  private boolean canTraverse(Path p) {
    try {
      int mode = (Integer) Files.getAttribute(p, "unix:mode");
      int owner = (Integer) Files.getAttribute(p, "unix:uid");
      int group = (Integer) Files.getAttribute(p, "unix:gid");
      if (owner == uid) {
        return (mode & 0100) != 0;
      }
      if (groups.contains(group)) {
        return (mode & 010) != 0;
      }
      return (mode & 01) != 0;
    } catch (IOException | UnsupportedOperationException e) {
      return true;
    }
  }

  /** Makes this user the owner of {@code dir} and everything in it. */
  void chownRecursively(Path dir) throws IOException {
    if (!switchUser) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        chown(p);
      }
    }
  }

  /** Makes this user the owner of {@code path} (not following a symlink). */
  void chown(Path path) throws IOException {
    if (!switchUser) {
      return;
    }
    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
  }

  /** The uid that owns files PostgreSQL creates. */
  int effectiveUid(int euid) {
    return switchUser ? uid : euid;
  }
}
