package io.ampd.it;

import io.ampd.config.PgUrl;
import io.ampd.testing.PostmasterPidFile;
import io.ampd.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What a test can learn about a managed cluster from outside: its postmaster.pid, a socket. */
final class Postmaster {
  private Postmaster() {}

  /** Lines of {@code metadb/postmaster.pid}, if the file exists. */
  static Optional<List<String>> pidFile(Path metadb) {
    return PostmasterPidFile.lines(metadb);
  }

  static long pid(Path metadb) {
    return PostmasterPidFile.pid(metadb).orElseThrow();
  }

  static Path socketDir(Path metadb) {
    return PostmasterPidFile.socketDir(metadb).orElseThrow();
  }

  static boolean alive(long pid) {
    return Processes.alive(pid);
  }

  /** Waits until {@code pid} is gone (or a zombie); false on timeout. */
  static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
    return Processes.awaitGone(pid, timeout);
  }

  /** A superuser connection to database {@code amp} of the cluster in {@code metadb}. */
  static Connection connect(Path metadb) throws SQLException {
    PgUrl url = PgUrl.unixSocket(socketDir(metadb), 5432, "amp", "postgres");
    return DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
  }

  /** Inodes of listening TCP sockets (IPv4 and IPv6) on this machine. */
  static List<String> listeningTcpInodes() throws IOException {
    List<String> inodes = new java.util.ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[3].equals("0A")) { // 0A = LISTEN
          inodes.add(f[9]);
        }
      }
    }
    return inodes;
  }

  /** Socket inodes held open by {@code pid}. */
  static List<String> socketInodes(long pid) throws IOException {
    List<String> inodes = new java.util.ArrayList<>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // fd closed meanwhile
        }
      }
    }
    return inodes;
  }
}
