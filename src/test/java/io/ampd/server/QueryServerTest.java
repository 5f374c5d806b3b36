package io.ampd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.core.Json;
import io.ampd.metadb.QuerySnapshotRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's behaviour as a service: HTTP errors, gzip, errors after the first row, the time
 * limit, the cap on running queries, clients that go away, and reading only the files and row
 * groups of a query's block range.
 */
class QueryServerTest {
  private static final String T = "\"example/mainnet\".transactions";

  /** A result far too large to ever finish: it runs until cancelled. */
  private static final String ENDLESS = "SELECT t.*, r.range FROM " + T + " t, range(1000000000) r";

  private static ServerFixture f;

  @BeforeAll
  static void extract() throws Exception {
    f = ServerFixture.extracted(5_000, 2_500);
  }

  @AfterAll
  static void close() {
    if (f != null) {
      f.close();
    }
  }

  private static JsonNode error(HttpResponse<String> r) throws IOException {
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertTrue(body.has("error_code") && body.has("error_message"), r.body());
    assertFalse(r.body().contains("\tat ") || r.body().contains("Exception"), r.body());
    return body;
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until {@code condition} holds, failing after {@code limit}; returns the time taken. */
  private static Duration await(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > limit.toNanos()) {
        throw new AssertionError(
            "not within "
                + limit
                + ": "
                + what
                + " (running "
                + f.server.runningQueries()
                + ", Arrow memory "
                + f.server.arrowMemory()
                + ", query threads idle "
                + queryThreadsIdle()
                + ")");
      }
      Thread.sleep(10);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Test
  void httpMistakesGetAmpErrorBodies() throws Exception {
    HttpResponse<String> get = send(HttpRequest.newBuilder(f.jsonlUri()).GET());
    assertEquals(405, get.statusCode());
    assertEquals("METHOD_NOT_ALLOWED", error(get).get("error_code").asText());

    HttpResponse<String> path =
        send(
            HttpRequest.newBuilder(f.jsonlUri().resolve("/sql"))
                .POST(HttpRequest.BodyPublishers.ofString("SELECT 1")));
    assertEquals(404, path.statusCode());

    HttpResponse<String> binary =
        send(
            HttpRequest.newBuilder(f.jsonlUri())
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'S', (byte) 0xff})));
    assertEquals(400, binary.statusCode());
    assertEquals("INVALID_SQL_STRING", error(binary).get("error_code").asText());

    // The answer reaches a client that is still sending the rest of its body, every time (a
    // close with unread input would reset the connection under it).
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> big =
          send(
              HttpRequest.newBuilder(f.jsonlUri())
                  .POST(HttpRequest.BodyPublishers.ofString("SELECT 1 " + "-".repeat(1 << 21))));
      assertEquals(413, big.statusCode());
      assertEquals("INVALID_SQL_STRING", error(big).get("error_code").asText());
    }

    HttpResponse<String> parse = f.jsonl("SELEC 1");
    assertEquals(400, parse.statusCode());
    assertEquals("SQL_PARSE_ERROR", error(parse).get("error_code").asText());

    HttpResponse<String> unknown = f.jsonl("SELECT * FROM \"example/nothing\".blocks");
    assertEquals(404, unknown.statusCode());
    assertEquals("TABLE_NOT_FOUND_ERROR", error(unknown).get("error_code").asText());
    assertEquals(
        "dataset not found: example/nothing", error(unknown).get("error_message").asText());

    HttpResponse<String> column = f.jsonl("SELECT nope FROM " + T);
    assertEquals(400, column.statusCode());
    assertEquals("INVALID_PLAN", error(column).get("error_code").asText());
    assertFalse(error(column).get("error_message").asText().contains("\n"), column.body());
    assertFalse(column.body().contains(f.dataDir.toString()), column.body());

    HttpResponse<String> health =
        send(HttpRequest.newBuilder(f.jsonlUri().resolve("/health")).GET());
    assertEquals(200, health.statusCode());
  }

  @Test
  void gzipWhenTheClientAcceptsIt() throws Exception {
    String sql = "SELECT block_num, tx_hash FROM " + T + " ORDER BY 1, tx_index";
    HttpResponse<InputStream> r =
        f.http.send(
            HttpRequest.newBuilder(f.jsonlUri())
                .header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString(sql))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(""));
    assertEquals("application/x-ndjson", r.headers().firstValue("Content-Type").orElse(""));
    String unzipped;
    try (InputStream in = new GZIPInputStream(r.body())) {
      unzipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(f.jsonl(sql).body(), unzipped);
  }

  @Test
  void anErrorAfterRowsEndsTheStreamVisibly() throws Exception {
    String sql =
        "SELECT CASE WHEN range < 5000000 THEN range ELSE error('boom at ' || range) END AS x"
            + " FROM range(10000000)";
    // A raw client, to see exactly what the server sends: an HTTP client may drop the data it
    // holds when the connection ends early.
    byte[] raw;
    try (Socket socket = new Socket("127.0.0.1", f.server.jsonlPort())) {
      byte[] body = sql.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      raw = socket.getInputStream().readAllBytes(); // until the server closes
    }
    String response = new String(raw, StandardCharsets.ISO_8859_1);
    int headersEnd = response.indexOf("\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response.substring(0, 100));
    assertTrue(
        response
            .substring(0, headersEnd)
            .toLowerCase(java.util.Locale.ROOT)
            .contains("transfer-encoding: chunked"),
        response.substring(0, headersEnd));
    // decode the chunks; the response must end without chunked encoding's final empty chunk
    ByteArrayOutputStream decoded = new ByteArrayOutputStream();
    int at = headersEnd + 4;
    boolean finalChunk = false;
    while (at < raw.length) {
      int lineEnd = response.indexOf("\r\n", at);
      int size = Integer.parseInt(response.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        finalChunk = true;
        break;
      }
      decoded.write(raw, lineEnd + 2, size);
      at = lineEnd + 2 + size + 2;
    }
    assertFalse(finalChunk, "the response ended as if complete");
    List<String> lines = List.of(decoded.toString(StandardCharsets.UTF_8).split("\n"));
    assertTrue(lines.size() > 1000, "rows before the error: " + lines.size());
    JsonNode last = Json.MAPPER.readTree(lines.get(lines.size() - 1));
    assertEquals("CORE_EXECUTION_ERROR", last.get("error_code").asText(), last.toString());
    assertTrue(last.get("error_message").asText().contains("boom at"), last.toString());
    for (int i = 0; i < lines.size() - 1; i++) {
      assertEquals("{\"x\":" + i + "}", lines.get(i));
    }
  }

  @Test
  void aQueryPastItsTimeLimitIsCancelledAndReported() throws Exception {
    QueryServer server = f.startServer(f.config(Duration.ofSeconds(1), 8));
    try {
      String slow =
          "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1";
      HttpResponse<String> r = f.jsonl(slow);
      assertEquals(504, r.statusCode());
      assertEquals("QUERY_TIMEOUT", error(r).get("error_code").asText());
      assertTrue(error(r).get("error_message").asText().contains("1 s"), r.body());
      try (Connection c = f.flight();
          Statement s = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(slow).next());
        assertTrue(
            String.valueOf(e.getMessage()).contains("server.query_timeout_secs"), e.toString());
      }
      await("queries ended", Duration.ofSeconds(10), () -> server.runningQueries() == 0);
    } finally {
      f.startServer(f.config(Duration.ofMinutes(5), 8));
    }
  }

  /** Sends {@code sql} on a raw connection and reads the first bytes of the answer. */
  private static Socket streaming(String sql) throws IOException {
    Socket socket = new Socket("127.0.0.1", f.server.jsonlPort());
    byte[] body = sql.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    InputStream in = socket.getInputStream();
    byte[] first = in.readNBytes(64 * 1024);
    assertTrue(
        new String(first, 0, 15, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"),
        new String(first, StandardCharsets.UTF_8));
    return socket;
  }

  private static boolean queryThreadsIdle() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("jsonl-query-") || t.getName().startsWith("flight-query-")) {
        for (StackTraceElement e : t.getStackTrace()) {
          if (e.getClassName().startsWith("io.ampd.server")) {
            return false; // still running a query
          }
        }
      }
    }
    return true;
  }

  @Test
  void aClientThatGoesAwayFreesItsQuery() throws Exception {
    long before = f.server.arrowMemory();
    Socket socket = streaming(ENDLESS);
    await("a query runs", Duration.ofSeconds(10), () -> f.server.runningQueries() == 1);
    assertTrue(f.server.arrowMemory() > before, "the streaming query holds Arrow memory");
    socket.close();
    Duration freed =
        await(
            "query, thread and memory back",
            Duration.ofSeconds(10),
            () ->
                f.server.runningQueries() == 0
                    && f.server.arrowMemory() == before
                    && queryThreadsIdle());
    System.out.println("JSON Lines client gone: query freed in " + freed.toMillis() + " ms");

    // the same through Flight: the client cancels its stream after the first batch
    try (org.apache.arrow.memory.BufferAllocator a = new org.apache.arrow.memory.RootAllocator();
        org.apache.arrow.flight.FlightClient client =
            org.apache.arrow.flight.FlightClient.builder(
                    a,
                    org.apache.arrow.flight.Location.forGrpcInsecure(
                        "127.0.0.1", f.server.flightPort()))
                .build()) {
      org.apache.arrow.flight.sql.FlightSqlClient sql =
          new org.apache.arrow.flight.sql.FlightSqlClient(client);
      org.apache.arrow.flight.FlightInfo info = sql.execute(ENDLESS);
      org.apache.arrow.flight.FlightStream stream =
          sql.getStream(info.getEndpoints().get(0).getTicket());
      assertTrue(stream.next());
      await("a Flight query runs", Duration.ofSeconds(10), () -> f.server.runningQueries() == 1);
      stream.cancel("enough", null);
      Duration flightFreed =
          await(
              "Flight query, thread and memory back",
              Duration.ofSeconds(10),
              () ->
                  f.server.runningQueries() == 0
                      && f.server.arrowMemory() == before
                      && queryThreadsIdle());
      System.out.println("Flight client gone: query freed in " + flightFreed.toMillis() + " ms");
      try {
        stream.close();
      } catch (Exception e) {
        // the cancelled stream reports its cancellation
      }
    }
  }

  @Test
  void queriesBeyondTheCapAreRefusedAtOnce() throws Exception {
    QueryServer server = f.startServer(f.config(Duration.ofMinutes(5), 1));
    try {
      Socket first = streaming(ENDLESS);
      await("a query runs", Duration.ofSeconds(10), () -> server.runningQueries() == 1);
      HttpResponse<String> second = f.jsonl("SELECT 1 AS one");
      assertEquals(503, second.statusCode());
      assertEquals("TOO_MANY_QUERIES", error(second).get("error_code").asText());
      assertEquals("1", second.headers().firstValue("Retry-After").orElse(""));
      try (Connection c = f.flight();
          Statement s = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
        assertTrue(String.valueOf(e.getMessage()).contains("max_concurrent_queries"), e.toString());
      }
      first.close();
      await("the first query ends", Duration.ofSeconds(10), () -> server.runningQueries() == 0);
      assertEquals(1, f.rows("SELECT 1 AS one").get(0).get("one").asInt());
    } finally {
      f.startServer(f.config(Duration.ofMinutes(5), 8));
    }
  }

  @Test
  void aBlockRangeReadsOnlyItsFileAndRowGroup() throws Exception {
    // 5,000 blocks in files of 2,500 blocks, row groups of 1,000: blocks 3,100-3,200 are in the
    // second file's second row group.
    String sql =
        "SELECT count(*) AS n, sum(gas_limit) AS gas FROM "
            + T
            + " WHERE block_num BETWEEN 3100 AND 3200";
    JsonNode profile;
    try (Connection engine = DriverManager.getConnection("jdbc:duckdb:")) {
      SqlAnalyzer.Analysis analysis = SqlAnalyzer.analyze(engine, sql);
      QuerySnapshotRepository.Found found =
          (QuerySnapshotRepository.Found)
              new QuerySnapshotRepository(f.db.dataSource()).read(QueryPlanner.tables(analysis));
      QueryPlanner.Plan plan = QueryPlanner.plan(analysis, found.snapshot(), f.dataDir);
      assertEquals(1, plan.reads().get(0).files());
      try (Statement s = engine.createStatement();
          ResultSet r = s.executeQuery("EXPLAIN (ANALYZE, FORMAT json) " + plan.sql())) {
        assertTrue(r.next());
        profile = Json.MAPPER.readTree(r.getString(2));
      }
    }
    JsonNode scan = find(profile, "TABLE_SCAN");
    assertEquals("1", scan.path("extra_info").path("Total Files Read").asText(), scan.toString());
    assertEquals(1, scan.path("row_groups_scanned").asInt(), scan.toString());
    assertEquals(3, scan.path("total_row_groups_to_scan").asInt(), scan.toString());

    // and the answer is right: the files left out are not needed
    JsonNode r = f.rows(sql).get(0);
    long n = 0;
    long gas = 0;
    for (long b = 3100; b <= 3200; b++) {
      for (var tx : f.chain.block(b).transactions()) {
        n++;
        gas += tx.gas();
      }
    }
    assertEquals(n, r.get("n").asLong());
    assertEquals(gas, r.get("gas").asLong());
  }

  private static JsonNode find(JsonNode n, String type) {
    if (type.equals(n.path("type").asText(null))
        || type.equals(n.path("operator_type").asText(null))) {
      return n;
    }
    for (JsonNode c : n) {
      JsonNode found = find(c, type);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Test
  void theEngineReadsNoFileOutsideTheDataDirAndLoadsNoExtension() throws Exception {
    QueryEngine engine = QueryEngine.start(f.config(Duration.ofMinutes(1), 2), f.dataDir);
    Path home = Path.of(System.getProperty("user.home"), ".duckdb");
    boolean hadExtensions = Files.exists(home);
    try (Connection c = engine.connect();
        Statement s = c.createStatement()) {
      for (String sql :
          List.of(
              "SELECT * FROM read_csv('/etc/passwd')",
              "SELECT * FROM read_text('/etc/hostname')",
              "SELECT * FROM '/etc/passwd'",
              "INSTALL httpfs",
              "LOAD httpfs",
              "ATTACH '/tmp/ampd-test-attach.db' AS x",
              "SET threads = 1",
              "SET enable_external_access = true",
              "SELECT st_point(1, 2)")) {
        assertThrows(SQLException.class, () -> s.execute(sql), sql);
      }
    } finally {
      engine.close();
    }
    assertFalse(Files.exists(Path.of("/tmp/ampd-test-attach.db")));
    assertEquals(hadExtensions, Files.exists(home), "an extension directory appeared");
  }

  @Test
  void flightAcceptsAHandshakeAndAnswersUnimplementedCallsWithoutFailing() throws Exception {
    try (org.apache.arrow.memory.BufferAllocator a = new org.apache.arrow.memory.RootAllocator();
        org.apache.arrow.flight.FlightClient client =
            org.apache.arrow.flight.FlightClient.builder(
                    a,
                    org.apache.arrow.flight.Location.forGrpcInsecure(
                        "127.0.0.1", f.server.flightPort()))
                .build()) {
      client.handshake(); // Amp's server panics here
      org.apache.arrow.flight.FlightRuntimeException list =
          assertThrows(
              org.apache.arrow.flight.FlightRuntimeException.class,
              () -> client.listFlights(org.apache.arrow.flight.Criteria.ALL).iterator().next());
      assertEquals(org.apache.arrow.flight.FlightStatusCode.UNIMPLEMENTED, list.status().code());
      org.apache.arrow.flight.FlightRuntimeException action =
          assertThrows(
              org.apache.arrow.flight.FlightRuntimeException.class,
              () ->
                  client.doAction(new org.apache.arrow.flight.Action("no-such-action")).hasNext());
      assertTrue(
          action.status().code() == org.apache.arrow.flight.FlightStatusCode.UNIMPLEMENTED
              || action.status().code()
                  == org.apache.arrow.flight.FlightStatusCode.INVALID_ARGUMENT,
          action.toString());
      org.apache.arrow.flight.FlightRuntimeException path =
          assertThrows(
              org.apache.arrow.flight.FlightRuntimeException.class,
              () -> client.getInfo(org.apache.arrow.flight.FlightDescriptor.path("blocks")));
      assertTrue(
          path.status().code() != org.apache.arrow.flight.FlightStatusCode.INTERNAL,
          path.toString());
      // a refused statement is INVALID_ARGUMENT with the reason and Amp's code in the metadata
      org.apache.arrow.flight.sql.FlightSqlClient sql =
          new org.apache.arrow.flight.sql.FlightSqlClient(client);
      org.apache.arrow.flight.FlightRuntimeException drop =
          assertThrows(
              org.apache.arrow.flight.FlightRuntimeException.class,
              () -> sql.execute("DROP TABLE x"));
      assertEquals(org.apache.arrow.flight.FlightStatusCode.INVALID_ARGUMENT, drop.status().code());
      assertTrue(drop.getMessage().contains("a DROP statement"), drop.getMessage());
      assertEquals("INVALID_QUERY", drop.status().metadata().get("error-code"));
      // one SqlInfo, as a client asks for the server's name
      org.apache.arrow.flight.FlightInfo name =
          sql.getSqlInfo(org.apache.arrow.flight.sql.impl.FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME);
      try (org.apache.arrow.flight.FlightStream stream =
          sql.getStream(name.getEndpoints().get(0).getTicket())) {
        assertTrue(stream.next());
        assertEquals(1, stream.getRoot().getRowCount());
        assertTrue(stream.getRoot().contentToTSVString().contains("ampd"));
      }
      // and the server still answers
      org.apache.arrow.flight.FlightInfo info = sql.execute("SELECT 42 AS answer");
      try (org.apache.arrow.flight.FlightStream stream =
          sql.getStream(info.getEndpoints().get(0).getTicket())) {
        assertTrue(stream.next());
        assertEquals(
            42, ((org.apache.arrow.vector.IntVector) stream.getRoot().getVector(0)).get(0));
      }
    }
  }

  @Test
  void deeplyNestedSqlIsRefusedNotFatal() throws Exception {
    String deep = "SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000);
    HttpResponse<String> r = f.jsonl(deep);
    assertEquals(400, r.statusCode(), r.body().substring(0, Math.min(300, r.body().length())));
    error(r);
    assertEquals(1, f.rows("SELECT 1 AS one").get(0).get("one").asInt());
  }
}
