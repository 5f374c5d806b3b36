package io.ampd.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * One small query through each endpoint of this server, over loopback: see {@link
 * QueryServer#warmUp}.
 */
final class WarmUp {
  /** A query that needs no dataset: it runs the engine, the export and the encoders. */
  static final String QUERY = "SELECT 1 AS one, 'x' AS text, '\\x01'::BLOB AS bytes";

  private WarmUp() {}

  static void run(int flightPort, int jsonlPort) throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    if (jsonlPort > 0) {
      byte[] body = QUERY.getBytes(StandardCharsets.UTF_8);
      try (Socket s = new Socket(loopback, jsonlPort)) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        drain(s.getInputStream());
      }
    }
    if (flightPort > 0) {
      try (BufferAllocator allocator = new RootAllocator();
          FlightClient client =
              FlightClient.builder(
                      allocator, Location.forGrpcInsecure(loopback.getHostAddress(), flightPort))
                  .build()) {
        FlightSqlClient sql = new FlightSqlClient(client);
        read(sql, sql.getSqlInfo(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME));
        read(sql, sql.execute(QUERY));
        try (FlightSqlClient.PreparedStatement p = sql.prepare(QUERY)) {
          read(sql, p.execute());
        }
      }
    }
  }

  private static void read(FlightSqlClient sql, FlightInfo info) throws Exception {
    try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket())) {
      while (stream.next()) {
        // read and drop
      }
    }
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    while (in.read(buffer) >= 0) {
      // until the server closes
    }
  }
}
