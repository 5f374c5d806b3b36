package io.ampd.server;

import io.ampd.server.QueryException.Kind;
import io.ampd.server.QueryService.Format;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the JSON Lines endpoint. Requests are answered one at a time: a query runs on a
 * query thread, which writes its rows while the connection is writable and waits while it is not;
 * when the connection closes, the query is cancelled.
 *
 * <p>Errors before the first row are Amp's body {@code {"error_code", "error_message"}} with the
 * kind's status. An error after rows were sent cannot change the status: the stream gets one last
 * line, that same JSON object, and the connection is closed without the chunked encoding's final
 * chunk, so that HTTP clients report an incomplete response rather than a short one.
 */
final class JsonlHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(JsonlHandler.class);

  static final String NDJSON = "application/x-ndjson";

  /** Bytes of JSON gathered into one HTTP chunk. */
  static final int CHUNK_BYTES = 256 << 10;

  private final QueryService service;
  private final QueryEngine engine;
  private final ExecutorService queries;

  /** Guards the fields below, shared by the event loop and the query thread. */
  private final Object lock = new Object();

  private RunningQuery current;
  private boolean busy;
  private boolean inactive;
  private FullHttpRequest pending;

  JsonlHandler(QueryService service, QueryEngine engine, ExecutorService queries) {
    this.service = service;
    this.engine = engine;
    this.queries = queries;
  }

  /** Refuses a body over the limit with Amp's error body instead of Netty's empty one. */
  static final class Aggregator extends HttpObjectAggregator {
    /** How long a refused client may go on sending before its connection is closed. */
    static final long LINGER_SECONDS = 5;

    Aggregator(int max) {
      super(max);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      FullHttpResponse response =
          error(
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
              Kind.INVALID_SQL_STRING.code(),
              "the SQL text is larger than " + JsonlEndpoint.MAX_BODY_BYTES + " bytes");
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      // A close with the rest of the body still unread would reset the connection, and a client
      // still sending could lose the answer: end the output, drop what still comes (this
      // aggregator discards the rest of the message), and close when the client has, or at the
      // latest after LINGER_SECONDS.
      ctx.writeAndFlush(response)
          .addListener(
              written -> {
                if (ctx.channel() instanceof SocketChannel socket && socket.isActive()) {
                  socket.shutdownOutput();
                  ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
                } else {
                  ctx.close();
                }
              });
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    synchronized (lock) {
      if (busy) {
        if (pending != null) {
          ctx.close(); // more than one request ahead of its answers
          return;
        }
        pending = request.retain();
        return;
      }
      busy = true;
    }
    handle(ctx, request.retain());
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    try {
      if (!request.decoderResult().isSuccess()) {
        finish(
            ctx,
            error(HttpResponseStatus.BAD_REQUEST, "BAD_REQUEST", "malformed HTTP request"),
            false);
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      String path = request.uri();
      int q = path.indexOf('?');
      if (q >= 0) {
        path = path.substring(0, q);
      }
      HttpMethod method = request.method();
      if (method.equals(HttpMethod.OPTIONS)) {
        finish(ctx, preflight(), keepAlive);
      } else if (path.equals("/health")) {
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
          finish(ctx, health(), keepAlive);
        } else {
          finish(ctx, methodNotAllowed("GET"), keepAlive);
        }
      } else if (!path.equals("/")) {
        finish(
            ctx,
            error(
                HttpResponseStatus.NOT_FOUND,
                "NOT_FOUND",
                "no such endpoint " + path + ": send the SQL with POST /"),
            keepAlive);
      } else if (!method.equals(HttpMethod.POST)) {
        finish(ctx, methodNotAllowed("POST"), keepAlive);
      } else {
        query(ctx, request, keepAlive);
      }
    } finally {
      request.release();
    }
  }

  private void query(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    String sql;
    try {
      sql =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(request.content().nioBuffer())
              .toString();
    } catch (CharacterCodingException e) {
      finish(
          ctx,
          error(new QueryException(Kind.INVALID_SQL_STRING, "the body is not UTF-8 text")),
          keepAlive);
      return;
    }
    QueryService.Admission admission;
    try {
      admission = service.admit();
    } catch (QueryException e) {
      FullHttpResponse response = error(e);
      if (e.kind() == Kind.TOO_MANY_QUERIES) {
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      }
      finish(ctx, response, keepAlive);
      return;
    }
    try {
      queries.execute(() -> stream(ctx, sql, admission, keepAlive));
    } catch (RejectedExecutionException e) {
      admission.close();
      finish(ctx, error(new QueryException(Kind.SHUTTING_DOWN, "the server is stopping")), false);
    }
  }

  /** On a query thread: runs the query and writes its rows. */
  private void stream(
      ChannelHandlerContext ctx, String sql, QueryService.Admission admission, boolean keepAlive) {
    Channel channel = ctx.channel();
    RunningQuery query = null;
    boolean headersSent = false;
    try (admission) {
      query = admission.start(sql, Format.JSON_LINES);
      synchronized (lock) {
        current = query;
        if (inactive) {
          query.cancel(Kind.CANCELLED);
        }
      }
      JsonLinesEncoder encoder =
          new JsonLinesEncoder(query.schema(), query.engineTypes(), query.dictionaries());
      JsonLinesEncoder.Bytes text = new JsonLinesEncoder.Bytes(CHUNK_BYTES + (64 << 10));
      while (query.next()) {
        VectorSchemaRoot batch = query.root();
        var columns = encoder.columns(batch);
        int rows = batch.getRowCount();
        for (int row = 0; row < rows; ) {
          // rows up to a chunk's size, one line at a time past it
          int end = row + 1;
          encoder.encode(columns, row, end, text);
          row = end;
          if (text.length() >= CHUNK_BYTES || row == rows) {
            if (!headersSent) {
              channel.write(streamHeaders(keepAlive));
              headersSent = true;
            }
            awaitWritable(channel, query);
            ByteBuf chunk = channel.alloc().buffer(text.length());
            chunk.writeBytes(text.array(), 0, text.length());
            channel.writeAndFlush(new DefaultHttpContent(chunk));
            text.clear();
          }
        }
      }
      if (!headersSent) {
        channel.write(streamHeaders(keepAlive));
      }
      var done = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      if (!keepAlive) {
        done.addListener(ChannelFutureListener.CLOSE);
      }
    } catch (QueryException e) {
      failed(ctx, e, headersSent, keepAlive);
    } catch (RuntimeException e) {
      log.warn("a JSON Lines query failed: {}", e.toString());
      failed(
          ctx,
          new QueryException(Kind.INTERNAL, "the query failed: " + e, e),
          headersSent,
          keepAlive);
    } finally {
      if (query != null) {
        query.close();
      }
      Runnable next = null;
      synchronized (lock) {
        current = null;
        busy = false;
        FullHttpRequest p = pending;
        pending = null;
        if (p != null && !inactive) {
          busy = true;
          next = () -> handle(ctx, p);
        } else if (p != null) {
          p.release();
        }
      }
      if (next != null) {
        ctx.executor().execute(next);
      }
    }
  }

  private void failed(
      ChannelHandlerContext ctx, QueryException e, boolean headersSent, boolean keepAlive) {
    Channel channel = ctx.channel();
    if (e.kind() == Kind.CANCELLED && !channel.isActive()) {
      return; // the client is gone: nobody to tell
    }
    if (e.kind() == Kind.INTERNAL) {
      log.warn("query failed: {}", e.getMessage());
    }
    if (!headersSent) {
      FullHttpResponse response = error(e);
      channel
          .writeAndFlush(response)
          .addListener(
              keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
      return;
    }
    // Rows were sent: a last line says why the stream ends early, and the response is left
    // without its final chunk, so that a client cannot take it for a complete one.
    ByteBuf line =
        Unpooled.copiedBuffer(
            errorJson(e.kind().code(), e.getMessage()) + "\n", StandardCharsets.UTF_8);
    channel.writeAndFlush(new DefaultHttpContent(line)).addListener(ChannelFutureListener.CLOSE);
  }

  /** Waits until the channel takes more, or the query ends. */
  private void awaitWritable(Channel channel, RunningQuery query) {
    synchronized (lock) {
      while (!channel.isWritable() && !inactive && query.cancelled() == null) {
        try {
          lock.wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          query.cancel(Kind.SHUTTING_DOWN);
          return;
        }
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    synchronized (lock) {
      lock.notifyAll();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    synchronized (lock) {
      inactive = true;
      if (current != null) {
        current.cancel(Kind.CANCELLED);
      }
      if (pending != null) {
        pending.release();
        pending = null;
      }
      lock.notifyAll();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      synchronized (lock) {
        if (busy) {
          return; // a query that computes long before its first row is not an idle client
        }
      }
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("JSON Lines connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private void finish(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    Runnable next = null;
    synchronized (lock) {
      busy = false;
      FullHttpRequest p = pending;
      pending = null;
      if (p != null) {
        busy = true;
        next = () -> handle(ctx, p);
      }
    }
    if (next != null) {
      ctx.executor().execute(next);
    }
  }

  private static HttpResponse streamHeaders(boolean keepAlive) {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, NDJSON);
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    HttpUtil.setTransferEncodingChunked(response, true);
    setKeepAlive(response, keepAlive);
    return response;
  }

  /**
   * Keep-alive, and how long an idle connection is kept: clients that read it close theirs first.
   */
  private static void setKeepAlive(HttpResponse response, boolean keepAlive) {
    HttpUtil.setKeepAlive(response, keepAlive);
    if (keepAlive) {
      response.headers().set("Keep-Alive", "timeout=" + JsonlEndpoint.IDLE_SECONDS);
    }
  }

  private FullHttpResponse health() {
    boolean ready = engine.opened();
    return json(
        HttpResponseStatus.OK,
        "{\"status\":\"ok\",\"engine\":\"" + (ready ? "ready" : "starting") + "\"}");
  }

  private static FullHttpResponse preflight() {
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    HttpHeaders h = r.headers();
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "*");
    h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return r;
  }

  private static FullHttpResponse methodNotAllowed(String allowed) {
    FullHttpResponse r =
        error(
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "use " + allowed + " on this path");
    r.headers().set(HttpHeaderNames.ALLOW, allowed);
    return r;
  }

  static FullHttpResponse error(QueryException e) {
    return error(
        HttpResponseStatus.valueOf(e.kind().httpStatus()), e.kind().code(), e.getMessage());
  }

  static FullHttpResponse error(HttpResponseStatus status, String code, String message) {
    return json(status, errorJson(code, message));
  }

  static String errorJson(String code, String message) {
    return "{\"error_code\":"
        + JsonText.quote(code)
        + ",\"error_message\":"
        + JsonText.quote(message)
        + "}";
  }

  private static FullHttpResponse json(HttpResponseStatus status, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return r;
  }
}
