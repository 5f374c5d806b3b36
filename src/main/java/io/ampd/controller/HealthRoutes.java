package io.ampd.controller;

import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.metadb.SchemaStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /healthz}: 200 {@code "ok"} when the process is ready and the metadata database
 * answers with the schema this build needs, else 503 with what is missing. The body:
 *
 * <pre>
 * {"status": "ok" | "degraded" | the process phase ("starting", "stopping"),
 *  "version": "0.1.0", "roles": ["controller", ...],
 *  "metadata_db": {"managed": true, "postgres": "running",      (postgres: managed only)
 *                  "state": "ready" | "starting" | "not answering" | "unavailable",
 *                  "schema_version": 7, "required_schema_version": 7,   (when ready)
 *                  "error": "..."},                                     (when not answering or
 *  "uptime_ms": 1234}                                                    unavailable)
 * </pre>
 *
 * Nothing is done until the first request: the schema check runs on one daemon thread made then,
 * one check at a time; a request waits for the check in flight (or a new one) up to {@link
 * #DEADLINE}.
 */
public final class HealthRoutes implements Routes {
  /**
   * How long {@code /healthz} waits for the metadata database; past that it answers 503 {@code "not
   * answering"} at once, and the check goes on alone (one at a time).
   */
  public static final Duration DEADLINE = Duration.ofSeconds(2);

  private final Supplier<String> phase;
  private final Supplier<String> postgresState;
  private final Supplier<MetadataDb> metadb;
  private final Supplier<List<String>> roles;
  private final Supplier<String> version;
  private final LongSupplier uptimeMillis;

  private CompletableFuture<SchemaStatus> check; // guarded by this
  private ExecutorService checkThread; // guarded by this

  /**
   * @param phase the process's phase: {@code "starting"}, {@code "ready"} or {@code "stopping"}
   * @param postgresState the managed PostgreSQL's state in lower case, or null when this process
   *     manages none (yet)
   * @param metadb the metadata database, or null while it is not open yet
   * @param roles the roles this process runs
   * @param version the ampd version
   * @param uptimeMillis how long the process has run
   */
  public HealthRoutes(
      Supplier<String> phase,
      Supplier<String> postgresState,
      Supplier<MetadataDb> metadb,
      Supplier<List<String>> roles,
      Supplier<String> version,
      LongSupplier uptimeMillis) {
    this.phase = phase;
    this.postgresState = postgresState;
    this.metadb = metadb;
    this.roles = roles;
    this.version = version;
    this.uptimeMillis = uptimeMillis;
  }

  @Override
  public void register(Router router) {
    router.get(
        "/healthz",
        request -> {
          Health h = health();
          return new Response(h.ok() ? 200 : 503, h.body());
        });
  }

  /** The answer of {@code /healthz} now. */
  Health health() {
    Map<String, Object> db = new LinkedHashMap<>();
    String postgres = postgresState.get();
    db.put("managed", postgres != null);
    if (postgres != null) {
      db.put("postgres", postgres);
    }
    boolean ok = false;
    MetadataDb current = metadb.get();
    if (current == null) {
      db.put("state", "starting");
    } else {
      try {
        SchemaStatus status = check(current).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        db.put("state", "ready");
        db.put("schema_version", status.current());
        db.put("required_schema_version", status.latest());
        ok = status.upToDate();
      } catch (TimeoutException e) {
        db.put("state", "not answering");
        db.put(
            "error", "no answer from the metadata database within " + DEADLINE.toMillis() + " ms");
      } catch (ExecutionException e) {
        db.put("state", "unavailable");
        db.put("error", e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        db.put("state", "unavailable");
        db.put("error", "interrupted");
      }
    }
    String now = phase.get();
    ok = ok && now.equals("ready");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ok ? "ok" : now.equals("ready") ? "degraded" : now);
    body.put("version", version.get());
    body.put("roles", List.copyOf(roles.get()));
    body.put("metadata_db", db);
    body.put("uptime_ms", uptimeMillis.getAsLong());
    return new Health(ok, body);
  }

  /** The schema check {@code /healthz} waits for: the one in flight, or a new one. */
  private synchronized CompletableFuture<SchemaStatus> check(MetadataDb db) {
    if (check == null || check.isDone()) {
      if (checkThread == null) {
        // One thread for every check: a thread per request made the JVM's memory grow by ~9 MiB
        // under a client polling /healthz as fast as it answers.
        checkThread =
            Executors.newSingleThreadExecutor(
                task -> {
                  Thread t = new Thread(task, "healthz-check");
                  t.setDaemon(true);
                  return t;
                });
      }
      check = CompletableFuture.supplyAsync(() -> Migrations.status(db.dataSource()), checkThread);
    }
    return check;
  }
}
