package io.ampd.server;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.ampd.core.Json;
import io.ampd.metadb.MetadbException;
import io.ampd.metadb.QuerySnapshot;
import io.ampd.metadb.QuerySnapshotRepository;
import io.ampd.server.QueryException.Kind;
import io.ampd.server.QueryService.Format;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.BasicFlightSqlProducer;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionClosePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementResult;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetDbSchemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTables;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.TicketStatementQuery;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Arrow Flight SQL service, as Amp's {@code flight.rs} and beyond it.
 *
 * <ul>
 *   <li>Amp's clients: {@code GetFlightInfo} with a {@code CommandStatementQuery} answers the
 *       result's schema and one endpoint, whose ticket {@code DoGet} redeems for the record
 *       batches; each batch carries Amp's app metadata ({@code {"ranges": […], "ranges_complete":
 *       false}}) and a last empty batch says {@code "ranges_complete": true}.
 *   <li>Prepared statements, as the Arrow Flight SQL JDBC driver sends every query (no parameters).
 *   <li>The catalog calls a JDBC tool makes on connect: {@code GetSqlInfo}, {@code GetCatalogs}
 *       (none: tables are {@code "dataset".table}), {@code GetDbSchemas} (every dataset version),
 *       {@code GetTables} (their tables, with columns), {@code GetTableTypes}, and empty key lists.
 *   <li>Everything else answers UNIMPLEMENTED; {@code Handshake} accepts (no authentication).
 * </ul>
 *
 * <p>{@code GetFlightInfo} (and preparing a statement) starts the query at once and parks it for
 * the {@code DoGet} that redeems its ticket ({@link ParkedQueries}): one plan, one run. The ticket
 * also holds the query's text, so one redeemed late, or on another server of the same database,
 * runs the query anew over the files recorded at that moment.
 */
final class FlightSqlService extends BasicFlightSqlProducer {
  private static final Logger log = LoggerFactory.getLogger(FlightSqlService.class);

  /** Prepared statements kept at most; the oldest go first (clients close theirs). */
  static final int MAX_PREPARED = 10_000;

  private final QueryService service;
  private final QuerySnapshotRepository catalog;
  private final BufferAllocator allocator;
  private final ExecutorService queries;
  private final SqlInfoBuilder sqlInfo;
  private final Map<ByteString, Prepared> prepared = new ConcurrentHashMap<>();
  private final ParkedQueries parked;

  /** A prepared statement: its query, schema, and the id of its started first run, if parked. */
  private record Prepared(String sql, Schema schema, AtomicReference<String> started) {}

  FlightSqlService(
      QueryService service,
      QuerySnapshotRepository catalog,
      BufferAllocator allocator,
      ExecutorService queries,
      String version) {
    this.service = service;
    this.catalog = catalog;
    this.allocator = allocator;
    this.queries = queries;
    this.parked = new ParkedQueries(service, queries);
    this.sqlInfo =
        new SqlInfoBuilder()
            .withFlightSqlServerName("ampd")
            .withFlightSqlServerVersion(version)
            .withFlightSqlServerArrowVersion(arrowVersion())
            .withFlightSqlServerReadOnly(true)
            .withFlightSqlServerSql(true)
            .withFlightSqlServerSubstrait(false)
            .withFlightSqlServerTransaction(
                FlightSql.SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
            .withFlightSqlServerCancel(false)
            .withSqlTransactionsSupported(false)
            .withSqlIdentifierQuoteChar("\"")
            .withSqlSchemaTerm("dataset")
            .withSqlCatalogTerm("catalog")
            .withSqlDdlCatalog(false)
            .withSqlDdlSchema(false)
            .withSqlDdlTable(false)
            .withSqlSupportsColumnAliasing(true)
            .withSqlCorrelatedSubqueriesSupported(true)
            .withSqlAllTablesAreSelectable(true)
            .withSqlIdentifierCase(
                FlightSql.SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
            .withSqlQuotedIdentifierCase(
                FlightSql.SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE);
  }

  private static String arrowVersion() {
    String v = Schema.class.getPackage().getImplementationVersion();
    return v == null ? "unknown" : v;
  }

  // ---- requests that are not Flight SQL's ----

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    return flightSqlOnly(descriptor, () -> super.getFlightInfo(context, descriptor));
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    return flightSqlOnly(descriptor, () -> super.getSchema(context, descriptor));
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      super.getStream(context, ticket, listener);
    } catch (FlightRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("not a ticket of this server")
          .toRuntimeException();
    }
  }

  /**
   * Runs {@code call} for a descriptor holding a Flight SQL command; a path descriptor, or bytes
   * that are not a command, answer INVALID_ARGUMENT (not Arrow's INTERNAL).
   */
  private static <T> T flightSqlOnly(
      FlightDescriptor descriptor, java.util.function.Supplier<T> call) {
    if (!descriptor.isCommand()) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("only Flight SQL commands are served, not path descriptors")
          .toRuntimeException();
    }
    try {
      return call.get();
    } catch (FlightRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("not a Flight SQL command: " + e.getMessage())
          .toRuntimeException();
    }
  }

  // ---- statements ----

  @Override
  public FlightInfo getFlightInfoStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    String sql = command.getQuery();
    ParkedQueries.Parked started = start(sql);
    return new FlightInfo(
        started.schema(), descriptor, List.of(endpoint(started.id(), sql)), -1, -1);
  }

  @Override
  public SchemaResult getSchemaStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    try {
      return new SchemaResult(parked.schema(command.getQuery()));
    } catch (QueryException e) {
      throw status(e);
    }
  }

  @Override
  public void getStreamStatement(
      TicketStatementQuery ticket, CallContext context, ServerStreamListener listener) {
    String handle = ticket.getStatementHandle().toStringUtf8();
    String id = null;
    String sql = handle;
    int newline = handle.indexOf('\n');
    if (newline == TICKET_ID_LENGTH) {
      id = handle.substring(0, newline);
      sql = handle.substring(newline + 1);
    }
    stream(id, sql, listener);
  }

  /** Length of a parked query's id (a UUID) at the start of a ticket. */
  private static final int TICKET_ID_LENGTH = 36;

  /** A ticket: the parked query's id, a newline, the query's text (to run it anew if need be). */
  private static FlightEndpoint endpoint(String id, String sql) {
    TicketStatementQuery ticket =
        TicketStatementQuery.newBuilder()
            .setStatementHandle(ByteString.copyFromUtf8(id + "\n" + sql))
            .build();
    return new FlightEndpoint(new Ticket(Any.pack(ticket).toByteArray()));
  }

  private ParkedQueries.Parked start(String sql) {
    try {
      return parked.start(sql);
    } catch (QueryException e) {
      throw status(e);
    }
  }

  // ---- prepared statements ----

  @Override
  public void createPreparedStatement(
      ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    try {
      // The query starts now: a JDBC driver prepares every query it then runs once.
      ParkedQueries.Parked started = start(request.getQuery());
      if (prepared.size() >= MAX_PREPARED) {
        prepared.keySet().stream().findFirst().ifPresent(this::forget);
      }
      ByteString handle = ByteString.copyFromUtf8(UUID.randomUUID().toString());
      prepared.put(
          handle,
          new Prepared(request.getQuery(), started.schema(), new AtomicReference<>(started.id())));
      ActionCreatePreparedStatementResult result =
          ActionCreatePreparedStatementResult.newBuilder()
              .setPreparedStatementHandle(handle)
              .setDatasetSchema(ByteString.copyFrom(started.schema().serializeAsMessage()))
              .build();
      listener.onNext(new Result(Any.pack(result).toByteArray()));
      listener.onCompleted();
    } catch (FlightRuntimeException e) {
      listener.onError(e);
    }
  }

  @Override
  public void closePreparedStatement(
      ActionClosePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    forget(request.getPreparedStatementHandle());
    listener.onCompleted();
  }

  private void forget(ByteString handle) {
    Prepared p = prepared.remove(handle);
    if (p != null) {
      String id = p.started().getAndSet(null);
      if (id != null) {
        parked.discard(id);
      }
    }
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    Prepared p = prepared(command.getPreparedStatementHandle());
    // its first run is the query started when it was prepared; later ones start anew
    String id = p.started().getAndSet(null);
    if (id == null || !parked.contains(id)) {
      id = start(p.sql()).id();
    }
    return new FlightInfo(p.schema(), descriptor, List.of(endpoint(id, p.sql())), -1, -1);
  }

  @Override
  public SchemaResult getSchemaPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return new SchemaResult(prepared(command.getPreparedStatementHandle()).schema());
  }

  @Override
  public void getStreamPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, ServerStreamListener listener) {
    Prepared p = prepared.get(command.getPreparedStatementHandle());
    if (p == null) {
      listener.error(unknownPrepared());
      return;
    }
    stream(null, p.sql(), listener);
  }

  @Override
  public Runnable acceptPutPreparedStatementQuery(
      CommandPreparedStatementQuery command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () ->
        ackStream.onError(
            CallStatus.INVALID_ARGUMENT
                .withDescription("query parameters are not supported: write the values in the SQL")
                .toRuntimeException());
  }

  @Override
  public Runnable acceptPutStatement(
      FlightSql.CommandStatementUpdate command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () -> ackStream.onError(readOnly());
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      FlightSql.CommandPreparedStatementUpdate command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () -> ackStream.onError(readOnly());
  }

  private static FlightRuntimeException readOnly() {
    return CallStatus.INVALID_ARGUMENT
        .withDescription("the server is read-only: only queries (SELECT) run here")
        .toRuntimeException();
  }

  private Prepared prepared(ByteString handle) {
    Prepared p = prepared.get(handle);
    if (p == null) {
      throw unknownPrepared();
    }
    return p;
  }

  private static FlightRuntimeException unknownPrepared() {
    return CallStatus.NOT_FOUND
        .withDescription("unknown prepared statement (closed, or made by another server)")
        .toRuntimeException();
  }

  // ---- running a query ----

  /**
   * Streams the query parked under {@code id}, or {@code sql} started anew when there is none, to
   * {@code listener}, on a query thread.
   */
  private void stream(String id, String sql, ServerStreamListener listener) {
    RunningQuery started = parked.take(id);
    QueryService.Admission admission = null;
    if (started == null) {
      try {
        admission = service.admit();
      } catch (QueryException e) {
        listener.error(status(e));
        return;
      }
    }
    Flow flow = new Flow();
    flow.register(listener); // before this call returns, so that gRPC can deliver its callbacks
    QueryService.Admission place = admission;
    try {
      queries.execute(
          () -> {
            if (started != null) {
              stream(started, listener, flow);
            } else {
              try (place) {
                RunningQuery query;
                try {
                  query = place.start(sql, Format.ARROW);
                } catch (QueryException e) {
                  listener.error(status(e));
                  return;
                }
                stream(query, listener, flow);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      if (started != null) {
        started.close();
      } else {
        admission.close();
      }
      listener.error(status(new QueryException(Kind.SHUTTING_DOWN, "the server is stopping")));
    }
  }

  /** Readiness of the client, and its cancellation, which cancels the query. */
  private static final class Flow extends BackpressureStrategy.CallbackBackpressureStrategy {
    private volatile RunningQuery query;
    private volatile boolean cancelled;

    void attach(RunningQuery q) {
      query = q;
      if (cancelled) {
        q.cancel(Kind.CANCELLED);
      }
    }

    @Override
    protected void cancelCallback() {
      cancelled = true;
      RunningQuery q = query;
      if (q != null) {
        q.cancel(Kind.CANCELLED);
      }
    }
  }

  /** Streams {@code query}'s batches to {@code listener} and closes it. */
  private void stream(RunningQuery query, ServerStreamListener listener, Flow flow) {
    try {
      flow.attach(query);
      byte[] ranges = ranges(query.plan().snapshot(), false);
      VectorSchemaRoot root = query.root();
      listener.start(root);
      while (query.next()) {
        while (true) {
          BackpressureStrategy.WaitResult r = flow.waitForListener(1000);
          if (r == BackpressureStrategy.WaitResult.READY) {
            break;
          }
          if (r == BackpressureStrategy.WaitResult.CANCELLED || listener.isCancelled()) {
            query.cancel(Kind.CANCELLED);
            return;
          }
          if (query.cancelled() != null) {
            throw query.failure(new IllegalStateException("cancelled"));
          }
        }
        listener.putNext(metadata(ranges));
      }
      // Amp's last batch: no rows, and the ranges complete.
      root.setRowCount(0);
      listener.putNext(metadata(ranges(query.plan().snapshot(), true)));
      listener.completed();
    } catch (QueryException e) {
      if (e.kind() != Kind.CANCELLED || !listener.isCancelled()) {
        listener.error(status(e));
      }
    } catch (RuntimeException e) {
      log.warn("a Flight query failed: {}", e.toString());
      listener.error(status(new QueryException(Kind.INTERNAL, "the query failed: " + e, e)));
    } finally {
      query.close();
    }
  }

  private ArrowBuf metadata(byte[] json) {
    ArrowBuf buf = allocator.buffer(json.length);
    buf.writeBytes(json);
    return buf;
  }

  /**
   * Amp's batch metadata: per network, the block range of the files the query read (start of the
   * first, end of the last; the hash of the last block when it is the last one recorded).
   */
  static byte[] ranges(QuerySnapshot snapshot, boolean complete) {
    Map<String, long[]> byNetwork = new LinkedHashMap<>();
    Map<String, byte[]> hashes = new LinkedHashMap<>();
    for (QuerySnapshot.TableFiles t : snapshot.tables().values()) {
      if (t.files().isEmpty()) {
        continue;
      }
      long start = t.files().get(0).blockStart();
      long end = t.files().get(t.files().size() - 1).blockEnd();
      long[] r = byNetwork.computeIfAbsent(t.network(), n -> new long[] {start, end});
      r[0] = Math.max(r[0], start);
      r[1] = Math.min(r[1], end);
      if (t.lastBlock().isPresent()
          && t.lastBlock().getAsLong() == r[1]
          && t.lastBlockHash() != null) {
        hashes.put(t.network(), t.lastBlockHash());
      }
    }
    List<Map<String, Object>> ranges = new ArrayList<>();
    for (Map.Entry<String, long[]> e : byNetwork.entrySet()) {
      Map<String, Object> range = new LinkedHashMap<>();
      range.put("network", e.getKey());
      range.put("numbers", Map.of("start", e.getValue()[0], "end", e.getValue()[1]));
      byte[] hash = hashes.get(e.getKey());
      if (hash != null) {
        range.put("hash", "0x" + java.util.HexFormat.of().formatHex(hash));
      }
      ranges.add(range);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ranges", ranges);
    out.put("ranges_complete", complete);
    try {
      return Json.MAPPER.writeValueAsBytes(out);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return "{\"ranges\":[],\"ranges_complete\":false}".getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A query failure as the gRPC status Flight clients see; the code also in the metadata. */
  static FlightRuntimeException status(QueryException e) {
    CallStatus status =
        switch (e.kind().grpcStatus()) {
          case "INVALID_ARGUMENT" -> CallStatus.INVALID_ARGUMENT;
          case "NOT_FOUND" -> CallStatus.NOT_FOUND;
          case "DEADLINE_EXCEEDED" -> CallStatus.TIMED_OUT;
          case "RESOURCE_EXHAUSTED" -> CallStatus.RESOURCE_EXHAUSTED;
          case "UNAVAILABLE" -> CallStatus.UNAVAILABLE;
          case "CANCELLED" -> CallStatus.CANCELLED;
          default -> CallStatus.INTERNAL;
        };
    ErrorFlightMetadata metadata = new ErrorFlightMetadata();
    metadata.insert("error-code", e.kind().code());
    return status.withDescription(e.getMessage()).withMetadata(metadata).toRuntimeException();
  }

  // ---- catalog ----

  @Override
  protected <T extends Message> List<FlightEndpoint> determineEndpoints(
      T request, FlightDescriptor descriptor, Schema schema) {
    return List.of(new FlightEndpoint(new Ticket(Any.pack(request).toByteArray())));
  }

  @Override
  public void getStreamSqlInfo(
      FlightSql.CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    sqlInfo.send(command.getInfoList(), listener);
  }

  @Override
  public void getStreamTypeInfo(
      FlightSql.CommandGetXdbcTypeInfo request,
      CallContext context,
      ServerStreamListener listener) {
    sendEmpty(FlightSqlProducer.Schemas.GET_TYPE_INFO_SCHEMA, listener);
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    sendEmpty(FlightSqlProducer.Schemas.GET_CATALOGS_SCHEMA, listener);
  }

  @Override
  public void getStreamSchemas(
      CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    Pattern filter =
        command.hasDbSchemaFilterPattern() ? like(command.getDbSchemaFilterPattern()) : null;
    List<String> names = new ArrayList<>();
    for (QuerySnapshot.ResolvedDataset d : datasets()) {
      String name = schemaName(d);
      if (filter == null || filter.matcher(name).matches()) {
        names.add(name);
      }
    }
    send(
        FlightSqlProducer.Schemas.GET_SCHEMAS_SCHEMA,
        listener,
        root -> {
          VarCharVector schema = (VarCharVector) root.getVector("db_schema_name");
          for (int i = 0; i < names.size(); i++) {
            schema.setSafe(i, names.get(i).getBytes(StandardCharsets.UTF_8));
          }
          root.setRowCount(names.size());
        });
  }

  @Override
  public void getStreamTables(
      CommandGetTables command, CallContext context, ServerStreamListener listener) {
    Pattern schemaFilter =
        command.hasDbSchemaFilterPattern() ? like(command.getDbSchemaFilterPattern()) : null;
    Pattern tableFilter =
        command.hasTableNameFilterPattern() ? like(command.getTableNameFilterPattern()) : null;
    boolean wantTables =
        command.getTableTypesCount() == 0 || command.getTableTypesList().contains("TABLE");
    List<String[]> rows = new ArrayList<>();
    if (wantTables) {
      for (QuerySnapshot.ResolvedDataset d : datasets()) {
        String schema = schemaName(d);
        if (schemaFilter != null && !schemaFilter.matcher(schema).matches()) {
          continue;
        }
        for (String table : d.tables()) {
          if (tableFilter == null || tableFilter.matcher(table).matches()) {
            rows.add(new String[] {schema, table});
          }
        }
      }
    }
    boolean withSchema = command.getIncludeSchema();
    send(
        withSchema
            ? FlightSqlProducer.Schemas.GET_TABLES_SCHEMA
            : FlightSqlProducer.Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
        listener,
        root -> {
          VarCharVector schemas = (VarCharVector) root.getVector("db_schema_name");
          VarCharVector tables = (VarCharVector) root.getVector("table_name");
          VarCharVector types = (VarCharVector) root.getVector("table_type");
          VarBinaryVector columns =
              withSchema ? (VarBinaryVector) root.getVector("table_schema") : null;
          for (int i = 0; i < rows.size(); i++) {
            schemas.setSafe(i, rows.get(i)[0].getBytes(StandardCharsets.UTF_8));
            tables.setSafe(i, rows.get(i)[1].getBytes(StandardCharsets.UTF_8));
            types.setSafe(i, "TABLE".getBytes(StandardCharsets.UTF_8));
            if (columns != null) {
              columns.setSafe(i, tableSchema(rows.get(i)[1]).serializeAsMessage());
            }
          }
          root.setRowCount(rows.size());
        });
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    send(
        FlightSqlProducer.Schemas.GET_TABLE_TYPES_SCHEMA,
        listener,
        root -> {
          ((VarCharVector) root.getVector("table_type"))
              .setSafe(0, "TABLE".getBytes(StandardCharsets.UTF_8));
          root.setRowCount(1);
        });
  }

  @Override
  public void getStreamPrimaryKeys(
      FlightSql.CommandGetPrimaryKeys command, CallContext context, ServerStreamListener listener) {
    sendEmpty(FlightSqlProducer.Schemas.GET_PRIMARY_KEYS_SCHEMA, listener);
  }

  @Override
  public void getStreamExportedKeys(
      FlightSql.CommandGetExportedKeys command,
      CallContext context,
      ServerStreamListener listener) {
    sendEmpty(FlightSqlProducer.Schemas.GET_EXPORTED_KEYS_SCHEMA, listener);
  }

  @Override
  public void getStreamImportedKeys(
      FlightSql.CommandGetImportedKeys command,
      CallContext context,
      ServerStreamListener listener) {
    sendEmpty(FlightSqlProducer.Schemas.GET_IMPORTED_KEYS_SCHEMA, listener);
  }

  @Override
  public void getStreamCrossReference(
      FlightSql.CommandGetCrossReference command,
      CallContext context,
      ServerStreamListener listener) {
    sendEmpty(FlightSqlProducer.Schemas.GET_CROSS_REFERENCE_SCHEMA, listener);
  }

  private List<QuerySnapshot.ResolvedDataset> datasets() {
    try {
      return catalog.datasets();
    } catch (MetadbException e) {
      throw status(
          new QueryException(
              Kind.CATALOG_UNAVAILABLE,
              "cannot list the datasets from the metadata database: " + e.getMessage(),
              e));
    }
  }

  /** A dataset version as a schema name: {@code namespace/name@version}. */
  static String schemaName(QuerySnapshot.ResolvedDataset d) {
    return d.ref().namespace() + "/" + d.ref().name() + "@" + d.ref().version();
  }

  private final Map<String, Schema> tableSchemas = new ConcurrentHashMap<>();

  /** The Arrow schema a query of {@code table} gives: what DuckDB exports for its columns. */
  private Schema tableSchema(String table) {
    return tableSchemas.computeIfAbsent(
        table,
        t -> {
          try {
            return parked.schema("SELECT * FROM " + QueryPlanner.emptyTable(t));
          } catch (QueryException e) {
            throw status(e);
          }
        });
  }

  /** A SQL LIKE pattern ({@code %}, {@code _}, {@code \} escapes) as a regular expression. */
  static Pattern like(String pattern) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        re.append(".*");
      } else if (c == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  private void sendEmpty(Schema schema, ServerStreamListener listener) {
    send(schema, listener, root -> root.setRowCount(0));
  }

  private void send(Schema schema, ServerStreamListener listener, Consumer<VectorSchemaRoot> fill) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      fill.accept(root);
      listener.start(root);
      listener.putNext();
      listener.completed();
    } catch (FlightRuntimeException e) {
      listener.error(e);
    }
  }

  @Override
  public void close() {
    prepared.clear();
    parked.close();
  }
}
