package io.ampd.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ampd.AmpdException;
import io.ampd.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's admin API: JSON over HTTP on {@code admin_api_addr}, served by the JDK's
 * built-in HTTP server (no framework on the start path). Every error is a JSON body
 * {@code {"error": "..."}} with a 4xx status; nothing answers with a stack trace.
 */
public final class AdminApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

  /** Jackson loads on first use, not when the API binds: its classes are off the start path. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Supplier<Health> health;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdminApi(HttpServer server, ExecutorService executor, Supplier<Health> health) {
    this.server = server;
    this.executor = executor;
    this.health = health;
  }

  /**
   * Binds and starts serving. Binding happens first thing in a role's start so a taken port
   * fails fast; {@code /healthz} answers 503 until {@code health} says ready.
   */
  public static AdminApi start(HostPort addr, Supplier<Health> health) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(addr.host(), addr.port()), 64);
    } catch (BindException e) {
      throw new AmpdException(
          "cannot listen on " + addr + " for the admin API: " + e.getMessage(),
          "stop the process using that address, or set admin_api_addr"
              + " (e.g. AMP_CONFIG_ADMIN_API_ADDR=127.0.0.1:1611)");
    } catch (IOException e) {
      throw new AmpdException(
          "cannot listen on " + addr + " for the admin API: " + e.getMessage(),
          "check admin_api_addr");
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "admin-api-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    AdminApi api = new AdminApi(server, executor, health);
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
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/healthz")) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
          send(exchange, 405, error("method " + method + " not allowed on /healthz; use GET"));
          return;
        }
        Health h = health.get();
        send(exchange, h.ok() ? 200 : 503, h.body());
        return;
      }
      send(exchange, 404, error("no route " + method + " " + path));
    } catch (RuntimeException e) {
      log.warn("admin API request failed: {}", e.toString());
      try {
        send(exchange, 500, error("internal error: " + e.getClass().getSimpleName()));
      } catch (IOException | RuntimeException ignored) {
        // the response may already be committed
      }
    }
  }

  private static Map<String, Object> error(String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    return body;
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
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
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
