package io.ampd.controller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ampd.config.HostPort;
import io.ampd.config.ListenFailure;
import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.core.AmpdException;
import io.ampd.core.Json;
import io.ampd.metadb.MetadbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's admin API: JSON over HTTP on {@code admin_api_addr}, served by the JDK's
 * built-in HTTP server (no framework on the start path) with routes from a {@link Router}. Every
 * error is Amp's JSON body {@code {"error_code": "...", "error_message": "..."}} (see {@link
 * ApiException}) with a 4xx status, or a 500/503 naming the failure in one line; nothing answers
 * with a stack trace.
 */
public final class AdminApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

  /** Largest request body accepted; manifests and providers are far smaller. */
  static final int MAX_BODY_BYTES = 1 << 20;

  /**
   * Seconds a client has, once its request's first byte arrived, to send the whole request (headers
   * and body); then the server closes the connection. Without a limit a client that stops
   * mid-request holds a thread for ever. Set as the JDK server's {@code
   * sun.net.httpserver.maxReqTime} unless that is given (e.g. in {@code AMPD_JAVA_OPTS}).
   */
  static final int MAX_REQUEST_SECONDS = 10;

  /**
   * Requests handled at once. A thread is made only when none is idle, and ends after a minute idle
   * (one stays): a few slow or stuck clients leave threads for {@code /healthz} and the rest.
   */
  static final int MAX_THREADS = 32;

  /** How long a request thread beyond the first stays idle before it ends. */
  private static final Duration IDLE_THREAD_KEEP = Duration.ofSeconds(60);

  /** How long {@link #close} lets requests in flight finish. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

  /** Jackson loads on first use, not when the API binds: its classes are off the start path. */
  private final HttpServer server;

  private final ExecutorService executor;
  private final Router router;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdminApi(HttpServer server, ExecutorService executor, Router router) {
    this.server = server;
    this.executor = executor;
    this.router = router;
  }

  /**
   * Binds and starts serving {@code router}. Binding happens first thing in a role's start so a
   * taken port fails fast.
   */
  public static AdminApi start(HostPort addr, Router router) {
    // The JDK server leaves Nagle's algorithm on: on a kept-alive connection every answer then
    // waits ~40 ms for the client's delayed ACK. Read once, when the server classes load.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(addr.host(), addr.port()), 64);
    } catch (IOException e) {
      throw ListenFailure.of(addr, "the admin API", "admin_api_addr", 1611, e);
    }
    AtomicInteger threads = new AtomicInteger();
    // A request goes to an idle thread if there is one, else to a new thread, up to MAX_THREADS;
    // beyond that it waits in the queue. (A plain ThreadPoolExecutor either never grows past its
    // core size or makes a thread per request until it reaches it.)
    LinkedTransferQueue<Runnable> queue =
        new LinkedTransferQueue<>() {
          private static final long serialVersionUID = 1L;

          @Override
          public boolean offer(Runnable task) {
            return tryTransfer(task);
          }
        };
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            MAX_THREADS,
            IDLE_THREAD_KEEP.toSeconds(),
            TimeUnit.SECONDS,
            queue,
            r -> {
              Thread t = new Thread(r, "admin-api-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            (task, pool) -> {
              if (!pool.isShutdown()) {
                queue.put(task);
              }
            });
    server.setExecutor(executor);
    AdminApi api = new AdminApi(server, executor, router);
    server.createContext("/", api::handle);
    server.start();
    log.info("admin API listening on http://{}", api.address());
    return api;
  }

  /** The bound address (the real port when {@code admin_api_addr} asked for port 0). */
  public HostPort address() {
    InetSocketAddress bound = server.getAddress();
    return new HostPort(bound.getAddress().getHostAddress(), bound.getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      Response response;
      try {
        Router.Match match = router.match(method, path);
        if (!match.found()) {
          if (match.allowed().isEmpty()) {
            throw ApiException.notFound("NO_SUCH_ROUTE", "no route " + method + " " + path);
          }
          exchange.getResponseHeaders().set("Allow", String.join(", ", match.allowed()));
          throw new ApiException(
              405,
              "method "
                  + method
                  + " not allowed on "
                  + path
                  + "; allowed: "
                  + String.join(", ", match.allowed()));
        }
        Request request =
            new Request(
                method,
                path,
                match.params(),
                query(exchange.getRequestURI().getRawQuery()),
                body(exchange),
                Json.MAPPER);
        response = match.handler().handle(request);
      } catch (ApiException e) {
        response = new Response(e.status(), error(e.code(), e.getMessage(), e.details()));
      } catch (AmpdException e) {
        response = new Response(503, error("SERVICE_UNAVAILABLE", e.getMessage(), null));
      } catch (MetadbException e) {
        log.warn("admin API {} {} failed: {}", method, path, e.getMessage());
        // The database away or silent: 503, as for a database not ready yet.
        response =
            e.unavailable()
                ? new Response(503, error("METADATA_DB_UNAVAILABLE", e.getMessage(), null))
                : new Response(
                    500, error("METADATA_DB_ERROR", "internal error: MetadbException", null));
      } catch (Exception e) {
        log.warn("admin API {} {} failed: {}", method, path, e.toString());
        response =
            new Response(
                500,
                error("INTERNAL_ERROR", "internal error: " + e.getClass().getSimpleName(), null));
      }
      send(exchange, response);
    }
  }

  private static byte[] body(HttpExchange exchange) {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      // The client went away or was cut off after MAX_REQUEST_SECONDS: nobody reads the answer.
      throw new ApiException(408, "request body not received: " + e.getMessage());
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new ApiException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    return bytes;
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  /** Amp's error body ({@code handlers/error.rs}): code and message, plus ampd's details. */
  private static Map<String, Object> error(String code, String message, Object details) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error_code", code);
    body.put("error_message", message);
    if (details != null) {
      body.put("details", details);
    }
    return body;
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    if (response.body() == null) {
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    byte[] bytes = Json.MAPPER.writeValueAsBytes(response.body());
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(response.status(), head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops accepting, lets in-flight requests finish briefly, stops the threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
