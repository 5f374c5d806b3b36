package io.ampd;

import io.ampd.cli.Cli;
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
    int code =
        Cli.create(new HostEnvironment(System.getenv()), shutdown, out, err, args).execute(args);
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
}
