package io.ampd.app;

import io.ampd.cli.CliContext;
import io.ampd.cli.Endpoints;
import io.ampd.cli.ErrorReport;
import io.ampd.cli.ExitCode;
import io.ampd.cli.Invocation;
import io.ampd.cli.Logging;
import io.ampd.cli.Version;
import io.ampd.config.AmpConfig;
import io.ampd.config.ManagedPostgresConfig;
import io.ampd.config.PgUrl;
import io.ampd.controller.AdminApi;
import io.ampd.controller.DatasetProgressRoutes;
import io.ampd.controller.DatasetsRoutes;
import io.ampd.controller.DeployRoutes;
import io.ampd.controller.HealthRoutes;
import io.ampd.controller.JobsRoutes;
import io.ampd.controller.OpenApiRoutes;
import io.ampd.controller.ProvidersRoutes;
import io.ampd.controller.RegistryFilesLoader;
import io.ampd.controller.RevisionsRoutes;
import io.ampd.controller.Scheduler;
import io.ampd.controller.WorkersRoutes;
import io.ampd.controller.http.Router;
import io.ampd.core.AmpdException;
import io.ampd.extract.EvmRpcJobRunner;
import io.ampd.extract.RevisionDirs;
import io.ampd.metadb.Catalog;
import io.ampd.metadb.JobScheduling;
import io.ampd.metadb.MetadataDb;
import io.ampd.metadb.Migrations;
import io.ampd.metadb.RevisionRepository;
import io.ampd.postgres.Host;
import io.ampd.postgres.PostgresSettings;
import io.ampd.postgres.PostgresSupervisor;
import io.ampd.registry.DatasetKind;
import io.ampd.server.QueryServer;
import io.ampd.solo.AmpDirLock;
import io.ampd.worker.JobRunner;
import io.ampd.worker.Worker;
import io.ampd.worker.WorkerSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires config, the managed PostgreSQL, the metadata database and the roles
 * for each command, and owns their start and stop order.
 *
 * <p>Start: amp dir lock, admin API bound (answering 503 until ready), PostgreSQL, pool,
 * migrations, provider and manifest files, scheduler, worker, ready. Stop (one path, for a signal
 * or a fatal error): roles in reverse start order (the worker first hands back its jobs, then the
 * scheduler, then the admin API), then the pool, then PostgreSQL (fast shutdown), then the lock.
 *
 * <p>Roles: {@code controller} = admin API + scheduler; {@code worker} = {@link Worker}; {@code
 * server} = {@link QueryServer} (Arrow Flight SQL and JSON Lines); {@code solo} = all three in this
 * JVM, the worker with node id {@value #SOLO_NODE_ID}. Every address a start will listen on is
 * checked before it creates anything on disk.
 */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  /** The node id of the worker inside {@code ampd solo}. */
  public static final String SOLO_NODE_ID = "solo";

  /** How long an admin API request waits for a free pooled connection before it answers 503. */
  static final Duration API_CONNECTION_WAIT = Duration.ofSeconds(5);

  private final CliContext context;
  private final Shutdown shutdown;
  private final Invocation invocation;
  private final AmpConfig config;
  private final long startNanos = System.nanoTime();
  private final AtomicReference<AmpdException> fatal = new AtomicReference<>();

  private volatile String phase = "starting";
  private volatile PostgresSupervisor postgres;
  private volatile MetadataDb metadb;
  private final DeferredDataSource dataSource = new DeferredDataSource();

  /** The same pool for the admin API's routes, which wait less for a connection. */
  private final DeferredDataSource apiDataSource = new DeferredDataSource(API_CONNECTION_WAIT);

  private final List<String> roles = new ArrayList<>();

  /** What starts once the process is ready: work that should not compete with its start. */
  private final List<Runnable> afterReady = new ArrayList<>();

  public Daemon(CliContext context, Shutdown shutdown, Invocation invocation) {
    this.context = context;
    this.shutdown = shutdown;
    this.invocation = invocation;
    this.config = invocation.config();
  }

  /** {@code ampd migrate}: applies pending migrations and reports them on stdout. */
  public int migrate() {
    PgUrl url = requireUrl().withDefaultApplicationName("ampd migrate");
    Migrations.migrate(url, line -> context.out().println(line));
    context.out().flush();
    return ExitCode.OK;
  }

  /** {@code ampd controller}: the admin API against the configured database. */
  public int controller() throws InterruptedException {
    PgUrl url = requireUrl().withDefaultApplicationName("ampd controller");
    ListenAddresses.check(listens(new Endpoints(true, false, false)));
    try (Closer closer = new Closer()) {
      roles.add("controller");
      AdminApi api = AdminApi.start(config.adminApiAddr(), routes());
      closer.add("admin API (not yet serving)", api::close);
      openMetadataDb(closer, url, "ampd controller");
      startController(closer, api);
      return serve("controller", closer);
    }
  }

  /** {@code ampd worker}: runs the jobs assigned to {@code nodeId}. */
  public int worker(String nodeId) throws InterruptedException {
    PgUrl url = requireUrl().withDefaultApplicationName("ampd worker");
    createDirs(config.dataDir());
    try (Closer closer = new Closer()) {
      roles.add("worker");
      openMetadataDb(closer, url, "ampd worker " + nodeId);
      // A worker may keep its data_dir on a machine of its own: revisions deleted through the
      // controller while it was away leave directories here too.
      removeUnrecordedRevisions();
      startWorker(closer, url, nodeId);
      return serve("worker", closer);
    }
  }

  /** {@code ampd server}: the query endpoints against the configured database. */
  public int server(Endpoints endpoints) throws InterruptedException {
    PgUrl url = requireUrl().withDefaultApplicationName("ampd server");
    ListenAddresses.check(listens(endpoints));
    createDirs(config.dataDir());
    try (Closer closer = new Closer()) {
      roles.add("server");
      CompletableFuture<QueryServer> serverStart = startServer(endpoints);
      try {
        openMetadataDb(closer, url, "ampd server");
      } catch (RuntimeException e) {
        throw closeAfter(e, serverStart, QueryServer::close);
      }
      QueryServer server = closer.add("query server", join(serverStart));
      log.info("query endpoints: {}", describe(endpoints));
      warmUpWhenRecorded(server);
      return serve("server", closer);
    }
  }

  /** {@code ampd solo}: every role in this JVM, with a managed PostgreSQL unless a URL is set. */
  public int solo(Endpoints endpoints) throws InterruptedException {
    Path ampDir = invocation.ampDir();
    // Another solo on this dir is named first; then every address is checked, before the amp
    // dir, its lock or a cluster is created.
    Optional<AmpDirLock> early = AmpDirLock.acquireIfExists(ampDir);
    try {
      ListenAddresses.check(listens(endpoints));
    } catch (RuntimeException e) {
      early.ifPresent(AmpDirLock::close);
      throw e;
    }
    createDirs(ampDir, config.dataDir(), config.providersDir(), config.manifestsDir());
    try (Closer closer = new Closer()) {
      closer.add("amp dir lock", early.orElseGet(() -> AmpDirLock.acquire(ampDir)));
      roles.addAll(List.of("controller", "worker"));
      if (endpoints.server()) {
        roles.add("server");
      }
      // The admin API comes up on its own thread while this one starts PostgreSQL, which is
      // mostly waiting for another process; both are done before anything else goes on. So do
      // the query endpoints, whose engine then opens on a thread of its own.
      CompletableFuture<AdminApi> apiStart =
          endpoints.admin()
              ? CompletableFuture.supplyAsync(
                  () -> AdminApi.start(config.adminApiAddr(), routes()),
                  task -> new Thread(task, "start-admin-api").start())
              : CompletableFuture.completedFuture(null);
      CompletableFuture<QueryServer> serverStart = startServer(endpoints);
      PgUrl url;
      boolean newCluster = false;
      try {
        Optional<PgUrl> external = config.metadataDb().url();
        if (external.isPresent()) {
          url = external.get();
          log.info("using the metadata database at {} (metadata_db.url is set)", url);
        } else {
          Path metadbDir = ampDir.resolve("metadb");
          newCluster = !Files.exists(metadbDir.resolve("PG_VERSION"));
          if (newCluster) {
            Preload.startFlyway(); // a new cluster will be migrated: load Flyway during initdb
          }
          url = startPostgres(closer, metadbDir);
        }
      } catch (RuntimeException e) {
        throw closeAfter(
            closeAfter(e, apiStart, Daemon::closeApi), serverStart, QueryServer::close);
      }
      // A failure of the API's own (say, its port is taken) is reported from here, after which
      // the closer stops PostgreSQL again.
      AdminApi api;
      try {
        api = join(apiStart);
      } catch (RuntimeException e) {
        throw closeAfter(e, serverStart, QueryServer::close);
      }
      if (api != null) {
        closer.add("admin API (not yet serving)", api::close);
      }
      QueryServer server = join(serverStart);
      if (server != null) {
        closer.add("query server", server);
      }
      PgUrl soloUrl = url.withDefaultApplicationName("ampd solo");
      if (newCluster && config.metadataDb().autoMigrate()) {
        openNewMetadataDb(closer, soloUrl, "ampd solo");
      } else {
        openMetadataDb(closer, soloUrl, "ampd solo");
      }
      // The two roles need only the pool, not each other: start them side by side.
      CompletableFuture<Void> worker =
          CompletableFuture.runAsync(
              () -> startWorker(closer, soloUrl, SOLO_NODE_ID),
              task -> new Thread(task, "start-worker").start());
      startController(closer, api);
      join(worker);
      if (server != null) {
        log.info("query endpoints: {}", describe(endpoints));
        warmUpWhenRecorded(server);
      }
      return serve("solo", closer);
    }
  }

  private static <T> T join(CompletableFuture<T> start) {
    try {
      return start.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * When a start step fails while a task started beside it is still running: waits for that task
   * and closes what it made (a failure of its own is added to {@code failure} as suppressed), and
   * returns {@code failure} to throw.
   */
  private static <T> RuntimeException closeAfter(
      RuntimeException failure, CompletableFuture<T> beside, Consumer<T> close) {
    try {
      close.accept(join(beside));
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  private static void closeApi(AdminApi api) {
    if (api != null) {
      api.close();
    }
  }

  /**
   * The query server of {@code endpoints}, starting on its own thread (its endpoints bind there;
   * its engine opens on yet another); a completed null when it runs no endpoint.
   */
  private CompletableFuture<QueryServer> startServer(Endpoints endpoints) {
    if (!endpoints.server()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.supplyAsync(
        () ->
            QueryServer.start(
                config.server(),
                config.dataDir(),
                apiDataSource,
                endpoints.flight() ? config.flightAddr() : null,
                endpoints.jsonl() ? config.jsonlAddr() : null,
                Version.get()),
        task -> new Thread(task, "start-query-server").start());
  }

  private String describe(Endpoints endpoints) {
    List<String> out = new ArrayList<>();
    if (endpoints.flight()) {
      out.add("Arrow Flight SQL on " + config.flightAddr());
    }
    if (endpoints.jsonl()) {
      out.add("JSON Lines on http://" + config.jsonlAddr() + "/");
    }
    return String.join(", ", out);
  }

  /**
   * When the launcher records its class-data archive during this run (it says so in {@code
   * ampd.cds.archive}), the server answers a query of its own before the run says it is ready, so
   * that the archive holds what answering needs even if the run is stopped at once. Only that one
   * run waits for it.
   */
  private static void warmUpWhenRecorded(QueryServer server) {
    String archive = System.getProperty("ampd.cds.archive");
    if (archive != null && !archive.isEmpty()) {
      server.openEngine();
      server.warmUp();
    }
  }

  /** The addresses {@code endpoints} listen on. */
  private List<ListenAddresses.Listen> listens(Endpoints endpoints) {
    List<ListenAddresses.Listen> out = new ArrayList<>();
    if (endpoints.admin()) {
      out.add(
          new ListenAddresses.Listen(
              config.adminApiAddr(), "admin_api_addr", "the admin API", 1611));
    }
    if (endpoints.flight()) {
      out.add(
          new ListenAddresses.Listen(
              config.flightAddr(), "flight_addr", "the Arrow Flight SQL endpoint", 1612));
    }
    if (endpoints.jsonl()) {
      out.add(
          new ListenAddresses.Listen(
              config.jsonlAddr(), "jsonl_addr", "the JSON Lines endpoint", 1613));
    }
    return out;
  }

  /** The controller role on an open pool: registry files loaded, API serving, scheduler. */
  private void startController(Closer closer, AdminApi api) {
    loadRegistryFiles();
    removeUnrecordedRevisions();
    if (api != null) {
      closer.add("admin API", api);
    }
    closer.add(
        "scheduler",
        Scheduler.start(
            new JobScheduling(dataSource), config.controller(), Scheduler.DEFAULT_TICK));
  }

  /**
   * Revision directories no record names (a revision deletion interrupted after its records went)
   * are removed; a failure is logged, and tried again at the next start.
   */
  private void removeUnrecordedRevisions() {
    try {
      RevisionDirs.sweep(config.dataDir(), new RevisionRepository(dataSource)::recordedPaths);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "cannot remove revision directories no record names under {}: {}",
          config.dataDir(),
          e.toString());
    }
  }

  /**
   * Providers from {@code providers_dir} are upserted, dataset versions from {@code manifests_dir}
   * registered; a bad file fails the start.
   */
  private void loadRegistryFiles() {
    RegistryFilesLoader.load(config.providersDir(), config.manifestsDir(), dataSource);
  }

  private void startWorker(Closer closer, PgUrl url, String nodeId) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("version", Version.get());
    info.put("host", hostName());
    info.put("pid", ProcessHandle.current().pid());
    WorkerSettings settings =
        new WorkerSettings(
            nodeId,
            url,
            config.worker(),
            config.dataDir(),
            info,
            WorkerSettings.DEFAULT_STOP_TIMEOUT,
            workerSessionTimeout(config));
    Worker worker =
        Worker.start(
            settings,
            dataSource,
            Catalog.of(dataSource),
            runners(config),
            error -> {
              fatal.compareAndSet(null, error);
              shutdown.request(ExitCode.ERROR);
            });
    closer.add("worker " + nodeId, worker);
  }

  /** The job runner of each dataset kind; a job of any other kind ends FATAL on the worker. */
  private static Map<String, JobRunner> runners(AmpConfig config) {
    return Map.of(
        DatasetKind.EVM_RPC.kindName(), new EvmRpcJobRunner(config.worker().progressLogInterval()));
  }

  private String hostName() {
    return context
        .env()
        .get("HOSTNAME")
        .orElseGet(
            () -> {
              try {
                return InetAddress.getLocalHost().getHostName();
              } catch (IOException e) {
                return "unknown";
              }
            });
  }

  private int serve(String role, Closer closer) throws InterruptedException {
    if (shutdown.isRequested()) {
      phase = "stopping";
      return shutdown.requestedCode();
    }
    phase = "ready";
    log.info("ampd {} {} ready in {} ms", role, Version.get(), elapsedMillis());
    afterReady.forEach(Runnable::run);
    int code = shutdown.await();
    phase = "stopping";
    long stopStart = System.nanoTime();
    closer.close();
    log.info("ampd {} stopped in {} ms", role, (System.nanoTime() - stopStart) / 1_000_000);
    AmpdException error = fatal.get();
    if (error != null) {
      ErrorReport.print(context.err(), error, Logging.isVerbose());
      return ExitCode.ERROR;
    }
    return code;
  }

  private PgUrl startPostgres(Closer closer, Path metadbDir) {
    ManagedPostgresConfig managed = config.metadataDb().managed();
    PostgresSettings settings =
        new PostgresSettings(
            metadbDir,
            managed.binDir(),
            managed.osUser(),
            managed.serverSettings(),
            Optional.empty(),
            managed.startTimeout(),
            managed.stopTimeout(),
            context.env().variables(),
            Host.current());
    PostgresSupervisor pg =
        PostgresSupervisor.start(
            settings,
            new PostgresSupervisor.Listener() {
              @Override
              public void onFatal(AmpdException error) {
                fatal.compareAndSet(null, error);
                shutdown.request(ExitCode.ERROR);
              }
            });
    postgres = pg;
    Runnable stopNow = pg::close;
    shutdown.onStopNow(stopNow);
    closer.add(
        "PostgreSQL",
        () -> {
          pg.close();
          shutdown.removeStopNow(stopNow);
        });
    return pg.url();
  }

  private void openMetadataDb(Closer closer, PgUrl url, String applicationName) {
    MetadataDb db = closer.add("metadata database pool", openPool(url, applicationName));
    Migrations.ensureCurrent(
        url, db.dataSource(), config.metadataDb().autoMigrate(), invocation.configHint());
    use(db);
  }

  /**
   * The network timeout of the worker's own sessions: the lock session carries the heartbeat, so it
   * gives up on a silent server within half of {@code worker_timeout_secs}, and the worker stops
   * its runs before the controller counts it dead and hands its jobs to another worker.
   */
  static Duration workerSessionTimeout(AmpConfig config) {
    Duration half = config.controller().workerTimeout().dividedBy(2);
    Duration network = config.metadataDb().networkTimeout();
    return half.compareTo(network) < 0 ? half : network;
  }

  private MetadataDb openPool(PgUrl url, String applicationName) {
    return MetadataDb.open(
        url, config.metadataDb().poolSize(), applicationName, config.metadataDb().networkTimeout());
  }

  /** The roles and the admin API use {@code db} from now on. */
  private void use(MetadataDb db) {
    dataSource.set(db);
    apiDataSource.set(db);
    metadb = db;
  }

  /**
   * A database this start has just created holds no schema: it is migrated at once, while the
   * role's pool opens on another thread, instead of one after the other.
   */
  private void openNewMetadataDb(Closer closer, PgUrl url, String applicationName) {
    CompletableFuture<MetadataDb> pool =
        CompletableFuture.supplyAsync(
            () -> openPool(url, applicationName), task -> new Thread(task, "open-pool").start());
    try {
      Migrations.migrateNew(url);
    } catch (RuntimeException e) {
      throw closeAfter(e, pool, MetadataDb::close);
    }
    use(closer.add("metadata database pool", join(pool)));
  }

  private PgUrl requireUrl() {
    return config
        .metadataDb()
        .url()
        .orElseThrow(
            () ->
                new AmpdException(
                    "metadata_db.url is not set",
                    "set [metadata_db] url in "
                        + invocation.configHint()
                        + ", or AMP_CONFIG_METADATA_DB__URL"));
  }

  private static void createDirs(Path... dirs) {
    for (Path dir : dirs) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new AmpdException(
            "cannot create directory " + dir + ": " + e,
            "choose a writable amp dir with --amp-dir or AMP_DIR, or fix the path in the config");
      }
    }
  }

  /** The admin API's routes for the roles this process runs. */
  private Router routes() {
    return new Router()
        .add(
            new HealthRoutes(
                () -> phase,
                this::postgresState,
                () -> metadb,
                () -> roles,
                Version::get,
                this::elapsedMillis))
        .add(new ProvidersRoutes(apiDataSource))
        .add(new DatasetsRoutes(apiDataSource))
        .add(new DatasetProgressRoutes(apiDataSource))
        .add(new OpenApiRoutes())
        .add(new JobsRoutes(apiDataSource, config.controller().workerTimeout()))
        .add(new WorkersRoutes(apiDataSource, config.controller().workerTimeout()))
        .add(new DeployRoutes(apiDataSource, config.controller().workerTimeout()))
        .add(new RevisionsRoutes(apiDataSource, config.dataDir()));
  }

  /** The managed PostgreSQL's state for {@code /healthz}, or null when this process runs none. */
  private String postgresState() {
    PostgresSupervisor supervisor = postgres;
    return supervisor == null ? null : supervisor.state().name().toLowerCase(Locale.ROOT);
  }

  private long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
