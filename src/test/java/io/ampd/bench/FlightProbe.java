package io.ampd.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Whether the Arrow Flight SQL endpoint answers: {@code GetSqlInfo} (the server's name) through
 * Arrow's own {@link FlightSqlClient} on a new gRPC channel, the FlightInfo and then its stream
 * read. The server answers it from what it built at start, without its query engine, so it measures
 * the endpoint and not the engine's opening. Each probe first checks with a plain TCP connect that
 * something listens: a refused connection costs microseconds, while a gRPC channel that failed to
 * connect backs off for a second before it tries again.
 */
final class FlightProbe implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MS = 500;
  private static final CallOption TIMEOUT = CallOptions.timeout(5, TimeUnit.SECONDS);

  private final BufferAllocator allocator = new RootAllocator();
  private final InetSocketAddress address;
  private final Location location;

  FlightProbe(int port) {
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.location = Location.forGrpcInsecure("127.0.0.1", port);
  }

  /** {@link System#nanoTime()} when the endpoint had answered, or -1 when it did not. */
  long answeredAt() {
    try (Socket socket = new Socket()) {
      socket.connect(address, CONNECT_TIMEOUT_MS);
    } catch (IOException e) {
      return -1;
    }
    try (FlightSqlClient client =
        new FlightSqlClient(FlightClient.builder(allocator, location).build())) {
      FlightInfo info =
          client.getSqlInfo(
              new FlightSql.SqlInfo[] {FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME}, TIMEOUT);
      long rows = 0;
      for (FlightEndpoint endpoint : info.getEndpoints()) {
        try (FlightStream stream = client.getStream(endpoint.getTicket(), TIMEOUT)) {
          while (stream.next()) {
            rows += stream.getRoot().getRowCount();
          }
        }
      }
      return rows > 0 ? System.nanoTime() : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  @Override
  public void close() {
    allocator.close();
  }
}
