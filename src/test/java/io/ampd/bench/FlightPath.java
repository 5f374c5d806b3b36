package io.ampd.bench;

import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The query server's Arrow Flight SQL endpoint through Arrow's own {@link FlightSqlClient} (one
 * gRPC channel): {@code execute(sql)} for the FlightInfo, then {@code getStream} of each endpoint's
 * ticket, every batch read.
 */
final class FlightPath implements SqlPath {
  private final FlightSqlClient client;
  private final String dataset;

  /**
   * @param dataset how the SQL names the dataset, e.g. {@code "example/mainnet"} (quoted)
   */
  FlightPath(BufferAllocator allocator, int port, String dataset) {
    this.client =
        new FlightSqlClient(
            FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port)).build());
    this.dataset = dataset;
  }

  @Override
  public String label() {
    return "Flight SQL";
  }

  @Override
  public String table(String table) {
    return dataset + "." + table;
  }

  @Override
  public Fetched fetch(String sql) throws Exception {
    FlightInfo info = client.execute(sql);
    long rows = 0;
    long bytes = 0;
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      try (FlightStream stream = client.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          rows += stream.getRoot().getRowCount();
          bytes += SqlPath.arrowBytes(stream.getRoot());
        }
      }
    }
    return new Fetched(rows, bytes);
  }

  @Override
  public void close() throws Exception {
    client.close();
  }
}
