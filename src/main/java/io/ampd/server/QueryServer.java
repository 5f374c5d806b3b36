package io.ampd.server;

import io.ampd.config.HostPort;
import io.ampd.config.ListenFailure;
import io.ampd.config.ServerConfig;
import io.ampd.core.AmpdException;
import io.ampd.metadb.QuerySnapshotRepository;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server role: SQL over the extracted datasets, through Arrow Flight SQL ({@code flight_addr})
 * and JSON Lines ({@code jsonl_addr}). It reads the metadata database for each query's files and
 * the data dir for the files themselves, and nothing else.
 *
 * <p>Start: the endpoints bind (a taken port fails the start); the engine opens when the first
 * query arrives ({@link #openEngine} opens it earlier). Stop: endpoints stop accepting, running
 * queries are cancelled, the engine closes.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryServer.class);

  private final QueryEngine engine;
  private final QueryService service;
  private final BufferAllocator allocator;
  private final ExecutorService flightQueries;
  private FlightServer flight;
  private EventLoopGroup flightBoss;
  private EventLoopGroup flightWorkers;
  private FlightSqlService flightService;
  private JsonlEndpoint jsonl;

  private QueryServer(
      QueryEngine engine,
      QueryService service,
      BufferAllocator allocator,
      ExecutorService flightQueries) {
    this.engine = engine;
    this.service = service;
    this.allocator = allocator;
    this.flightQueries = flightQueries;
  }

  /**
   * Starts the server with the endpoints whose address is given (null: that endpoint does not run).
   *
   * @param metadb the metadata database (its pool)
   * @param dataDir where the files are (absolute)
   */
  public static QueryServer start(
      ServerConfig config,
      Path dataDir,
      DataSource metadb,
      HostPort flightAddr,
      HostPort jsonlAddr,
      String version) {
    QueryEngine engine = QueryEngine.create(config, dataDir);
    BufferAllocator allocator = new RootAllocator();
    QuerySnapshotRepository catalog = new QuerySnapshotRepository(metadb);
    QueryService service = new QueryService(engine, catalog, dataDir, config, allocator);
    QueryServer server =
        new QueryServer(engine, service, allocator, QueryThreads.create("flight-query"));
    long t0 = System.nanoTime();
    try {
      if (flightAddr != null) {
        server.flightService =
            new FlightSqlService(service, catalog, allocator, server.flightQueries, version);
        server.flightBoss = new NioEventLoopGroup(1, new DefaultThreadFactory("flight-boss", true));
        server.flightWorkers =
            new NioEventLoopGroup(0, new DefaultThreadFactory("flight-io", true));
        server.flight =
            startFlight(
                flightAddr,
                allocator,
                server.flightService,
                server.flightBoss,
                server.flightWorkers);
      }
      long t1 = System.nanoTime();
      if (jsonlAddr != null) {
        server.jsonl = JsonlEndpoint.start(jsonlAddr, service, engine);
      }
      log.debug(
          "query endpoints bound: Flight in {} ms, JSON Lines in {} ms",
          (t1 - t0) / 1_000_000,
          (System.nanoTime() - t1) / 1_000_000);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * The Flight server runs on event loops of its own rather than gRPC's shared ones: gRPC keeps the
   * shared ones a second after the last server closes, and at exit the JVM waits 300 ms for any
   * thread still blocked in a native call such as their selector (measured: SIGTERM to exit 450 ms
   * instead of 120 ms).
   */
  private static FlightServer startFlight(
      HostPort addr,
      BufferAllocator allocator,
      FlightSqlService producer,
      EventLoopGroup boss,
      EventLoopGroup workers) {
    Consumer<NettyServerBuilder> loops =
        builder ->
            builder
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .channelType(NioServerSocketChannel.class);
    try {
      return FlightServer.builder(
              allocator, Location.forGrpcInsecure(addr.host(), addr.port()), producer)
          .transportHint("grpc.builderConsumer", loops)
          .build()
          .start();
    } catch (Exception e) {
      throw ListenFailure.of(addr, "the Arrow Flight SQL endpoint", "flight_addr", 1612, e);
    }
  }

  /**
   * Opens the query engine now, on a thread of its own, rather than at the first query (the run
   * that records the class-data archive does, to answer its warm-up queries).
   */
  public void openEngine() {
    engine.open();
  }

  /**
   * Runs one small query through each endpoint, as a client would, and waits for the answers: the
   * run that records the launcher's class-data archive then loads the classes of answering a query
   * (gRPC's and Arrow's, Netty's HTTP, DuckDB's export), and later starts answer their first query
   * from the archive instead of loading them from the jars (measured: half a second less). A
   * failure is only logged: the archive is then just less complete.
   */
  public void warmUp() {
    long start = System.nanoTime();
    try {
      WarmUp.run(flightPort(), jsonlPort());
      log.debug("warm-up queries answered in {} ms", (System.nanoTime() - start) / 1_000_000);
    } catch (Exception e) {
      log.warn("warm-up query failed: {}", e.toString());
    }
  }

  /** The Flight endpoint's port, or -1. */
  public int flightPort() {
    return flight == null ? -1 : flight.getPort();
  }

  /** The JSON Lines endpoint's port, or -1. */
  public int jsonlPort() {
    return jsonl == null ? -1 : jsonl.port();
  }

  /** Queries running now. */
  public int runningQueries() {
    return service.running();
  }

  /** Arrow memory the queries hold now, in bytes. */
  public long arrowMemory() {
    return allocator.getAllocatedMemory();
  }

  @Override
  public void close() {
    List<Exception> errors = new ArrayList<>();
    if (flight != null) {
      try {
        flight.shutdown();
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    if (jsonl != null) {
      try {
        jsonl.close();
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    service.close();
    if (flight != null) {
      try {
        flight.awaitTermination(2, TimeUnit.SECONDS);
        flight.close();
      } catch (Exception e) {
        errors.add(e);
      }
    }
    for (EventLoopGroup group : new EventLoopGroup[] {flightBoss, flightWorkers}) {
      if (group != null) {
        group
            .shutdownGracefully(0, 0, TimeUnit.MILLISECONDS)
            .awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
    }
    flightQueries.shutdownNow();
    if (flightService != null) {
      flightService.close();
    }
    engine.close();
    try {
      allocator.close();
    } catch (RuntimeException e) {
      log.debug("closing the query allocator: {}", e.getMessage());
    }
    for (Exception e : errors) {
      log.warn("stopping the query server: {}", e.toString());
    }
    if (!errors.isEmpty() && errors.get(0) instanceof AmpdException a) {
      throw a;
    }
  }
}
