package io.ampd.it;

import io.ampd.testing.Processes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code ampd} run as a real process, for end-to-end tests.
 *
 * <p>Output goes to files next to the working dir so a failing test can show it. {@link #close()}
 * always leaves nothing running: it SIGKILLs the process and every descendant it had (PostgreSQL
 * included), found by pid while the parent is still alive.
 */
public final class AmpdProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private AmpdProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The java command that runs the packaged jar, with the launcher's JVM flags. */
  public static List<String> javaCommand() {
    String jar = System.getProperty("ampd.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "ampd.jar system property must name the packaged jar (run with 'mvn verify'): " + jar);
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ArrayList<>(
        List.of(
            java.toString(),
            "-XX:+UseSerialGC",
            "-Xmx512m",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            jar));
  }

  /** Starts {@code ampd args…} in {@code workDir} with the test's environment plus {@code env}. */
  public static AmpdProcess start(Path workDir, Map<String, String> env, String... args)
      throws IOException {
    List<String> command = javaCommand();
    command.addAll(List.of(args));
    return startCommand(workDir, env, command);
  }

  /** Starts an arbitrary command (e.g. ampd under setpriv or unshare) the same way. */
  public static AmpdProcess startCommand(Path workDir, Map<String, String> env, List<String> cmd)
      throws IOException {
    Files.createDirectories(workDir);
    String tag = Long.toString(System.nanoTime(), 36);
    Path out = workDir.resolve("ampd-" + tag + ".out");
    Path err = workDir.resolve("ampd-" + tag + ".err");
    ProcessBuilder builder = new ProcessBuilder(cmd).directory(workDir.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("AMP_"));
    builder.environment().putAll(env);
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new AmpdProcess(builder.start(), out, err);
  }

  /** Runs ampd to completion (at most {@code timeout}) and returns its result. */
  public static Result run(Path workDir, Map<String, String> env, Duration timeout, String... args)
      throws IOException, InterruptedException {
    try (AmpdProcess p = start(workDir, env, args)) {
      int code = p.waitFor(timeout);
      return new Result(code, p.stdout(), p.stderr());
    }
  }

  /** Exit code, stdout and stderr of a finished run. */
  public record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for exit; throws if it has not exited within {@code timeout}. */
  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "ampd (pid " + pid() + ") did not exit within " + timeout + "\n" + stderr());
    }
    return process.exitValue();
  }

  /** Sends a signal by name (TERM, INT, KILL, …) to the ampd process. */
  public void signal(String name) throws IOException, InterruptedException {
    kill(name, pid());
  }

  static void kill(String signal, long pid) throws IOException, InterruptedException {
    Processes.signal(signal, pid);
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  /** {@code GET http://127.0.0.1:port/path}: status and body, or status -1 if not answering. */
  public static HttpResult get(int port, String path) {
    return get(port, path, Duration.ofSeconds(5));
  }

  /** {@link #get(int, String)}, giving up after {@code timeout}. */
  public static HttpResult get(int port, String path, Duration timeout) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(timeout)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new HttpResult(response.statusCode(), response.body());
    } catch (IOException e) {
      return new HttpResult(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HttpResult(-1, e.toString());
    }
  }

  /** A status code and body. */
  public record HttpResult(int status, String body) {}

  /** Polls {@code /healthz} until 200; fails with ampd's stderr if it exits or times out. */
  public HttpResult awaitHealthy(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResult last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "ampd exited with " + process.exitValue() + " before /healthz was 200\n" + stderr());
      }
      last = get(port, "/healthz");
      if (last.status() == 200) {
        return last;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("/healthz not 200 within " + timeout + ": " + last + "\n" + stderr());
  }

  /** A TCP port that was free a moment ago on 127.0.0.1. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Environment giving ampd the admin port {@code port} and free ports for the query endpoints (so
   * that two tests' ampds never meet on the defaults).
   */
  public static Map<String, String> envWithAdminPort(int port) {
    Map<String, String> env = new HashMap<>();
    env.put("AMP_CONFIG_ADMIN_API_ADDR", "127.0.0.1:" + port);
    try {
      env.put("AMP_CONFIG_FLIGHT_ADDR", "127.0.0.1:" + freePort());
      env.put("AMP_CONFIG_JSONL_ADDR", "127.0.0.1:" + freePort());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return env;
  }

  /** SIGKILLs the process and all its descendants, by pid. */
  /** A condition a test waits for; it may throw (an HTTP call, a file read). */
  public interface Check {
    boolean holds() throws Exception;
  }

  /**
   * Polls {@code condition} every 50 ms until it holds; past {@code limit} fails naming {@code
   * what}, with this process's stderr.
   */
  public void await(String what, Duration limit, Check condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what + "\n" + stderr());
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    // What is still running is reported by the tests that check for leftovers.
    Processes.killTree(process.toHandle());
  }
}
