package io.ampd.app;

import io.ampd.cli.Cli;
import io.ampd.cli.CliContext;
import io.ampd.cli.Endpoints;
import io.ampd.cli.HostEnvironment;
import io.ampd.cli.Invocation;
import io.ampd.cli.Roles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process entry point: reads the environment, installs the signal handlers, runs the command line
 * and exits with its code. Nothing else in ampd exits the JVM or reads the environment.
 */
public final class Main {
  private Main() {}

  /** junixsocket's property naming its native library file, instead of unpacking its own. */
  private static final String JUNIXSOCKET_LIBRARY = "org.newsclub.net.unix.library.override";

  public static void main(String[] args) {
    useShippedJunixsocketLibrary();
    if (Preload.worthIt(args)) {
      Preload.start();
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    Shutdown shutdown = new Shutdown();
    shutdown.installSignalHandlers();
    CliContext context = new CliContext(new HostEnvironment(System.getenv()), out, err);
    int code = Cli.create(context, new DaemonRoles(context, shutdown)).execute(args);
    out.flush();
    err.flush();
    if (code != 0) {
      markArchiveFailed(System.getProperty("ampd.cds.archive"));
    }
    shutdown.exit(code);
  }

  /**
   * The build puts junixsocket's native library beside the jar ({@code
   * lib/libjunixsocket-native.so}, {@code .dylib} on macOS). Pointed at it, junixsocket loads it in
   * place; otherwise it writes a copy into the temp dir at every start, which a JVM killed outright
   * (SIGKILL, a crash) leaves behind. Without the file (tests on the class path) nothing changes.
   */
  private static void useShippedJunixsocketLibrary() {
    if (System.getProperty(JUNIXSOCKET_LIBRARY) != null) {
      return;
    }
    try {
      Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (String name : new String[] {"libjunixsocket-native.so", "libjunixsocket-native.dylib"}) {
        Path library = jar.resolveSibling("lib").resolve(name);
        if (Files.isRegularFile(library)) {
          System.setProperty(JUNIXSOCKET_LIBRARY, library.toString());
          return;
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // junixsocket unpacks its own copy, as it would anyway
    }
  }

  /**
   * The launcher records a class-data archive on a first run; one that failed (a usage error, a bad
   * config) loaded too few classes to be worth keeping, so it leaves {@code <archive>.failed} for
   * the launcher to drop the archive and record again.
   */
  private static void markArchiveFailed(String archive) {
    if (archive == null || archive.isEmpty()) {
      return;
    }
    try {
      Files.createFile(Path.of(archive + ".failed"));
    } catch (IOException | RuntimeException e) {
      // best effort: the archive is kept
    }
  }

  /** The roles the command line starts: each on a {@link Daemon} of its own invocation. */
  private record DaemonRoles(CliContext context, Shutdown shutdown) implements Roles {
    @Override
    public int solo(Invocation invocation, Endpoints endpoints) throws InterruptedException {
      return daemon(invocation).solo(endpoints);
    }

    @Override
    public int controller(Invocation invocation) throws InterruptedException {
      return daemon(invocation).controller();
    }

    @Override
    public int server(Invocation invocation, Endpoints endpoints) throws InterruptedException {
      return daemon(invocation).server(endpoints);
    }

    @Override
    public int worker(Invocation invocation, String nodeId) throws InterruptedException {
      return daemon(invocation).worker(nodeId);
    }

    @Override
    public int migrate(Invocation invocation) {
      return daemon(invocation).migrate();
    }

    private Daemon daemon(Invocation invocation) {
      return new Daemon(context, shutdown, invocation);
    }
  }
}
