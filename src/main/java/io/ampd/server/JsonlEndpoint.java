package io.ampd.server;

import io.ampd.config.HostPort;
import io.ampd.config.ListenFailure;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The JSON Lines endpoint, as Amp's {@code jsonl.rs}: {@code POST /} with the SQL text as body
 * answers {@code application/x-ndjson}, one JSON object per row, streamed as DuckDB produces them;
 * {@code GET /health}. Served by Netty: a query thread writes a chunk only while the connection can
 * take it (the client's pace bounds the memory), and a client that goes away cancels its query at
 * once. Responses are gzip-compressed when the client accepts it.
 */
final class JsonlEndpoint implements AutoCloseable {
  /** Largest request accepted (headers aside): the SQL text. */
  static final int MAX_BODY_BYTES = 1 << 20;

  /** Seconds a connection may stay silent, when it runs no query, before it is closed. */
  static final int IDLE_SECONDS = 60;

  /**
   * Bytes queued for a client above which a query waits for it to read (and below which it goes
   * on).
   */
  static final int HIGH_WATER_BYTES = 1 << 20;

  static final int LOW_WATER_BYTES = 256 << 10;

  /** gzip level: fast; a result is compressed as it streams. */
  static final int GZIP_LEVEL = 1;

  private final EventLoopGroup group;
  private final Channel server;
  private final ExecutorService queries;

  private JsonlEndpoint(EventLoopGroup group, Channel server, ExecutorService queries) {
    this.group = group;
    this.server = server;
    this.queries = queries;
  }

  /** Binds {@code addr} and serves; the port is taken when this returns. */
  static JsonlEndpoint start(HostPort addr, QueryService service, QueryEngine engine) {
    EventLoopGroup group = new NioEventLoopGroup(2, new DefaultThreadFactory("jsonl", true));
    ExecutorService queries = QueryThreads.create("jsonl-query");
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 128)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(LOW_WATER_BYTES, HIGH_WATER_BYTES))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new IdleStateHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec())
                        .addLast(
                            new HttpContentCompressor(
                                StandardCompressionOptions.gzip(GZIP_LEVEL, 15, 8),
                                StandardCompressionOptions.deflate(GZIP_LEVEL, 15, 8)))
                        .addLast(new JsonlHandler.Aggregator(MAX_BODY_BYTES))
                        .addLast(new JsonlHandler(service, engine, queries));
                  }
                });
    try {
      Channel server =
          bootstrap.bind(new InetSocketAddress(addr.host(), addr.port())).sync().channel();
      return new JsonlEndpoint(group, server, queries);
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      queries.shutdownNow();
      throw ListenFailure.of(addr, "the JSON Lines endpoint", "jsonl_addr", 1613, e);
    }
  }

  /** The bound port (for tests that bind port 0). */
  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    queries.shutdownNow();
  }
}
