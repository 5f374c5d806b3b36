package io.ampd.postgres;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one simple-protocol statement over the Unix socket with nothing but the JDK: startup (trust
 * authentication), {@code Query}, {@code Terminate}. The supervisor's readiness probe and its
 * {@code CREATE DATABASE} use it instead of pgjdbc, whose first connection in a fresh JVM costs
 * several hundred milliseconds of class loading (and junixsocket's native library) on the start
 * path; the roles' pools load pgjdbc in parallel instead.
 */
final class WireProbe {
  private static final int PROTOCOL_3_0 = 196608;

  /** An ErrorResponse from the server. */
  static final class ServerError extends Exception {
    private static final long serialVersionUID = 1L;
    private final String sqlState;

    ServerError(String sqlState, String message) {
      super(message + " (SQLSTATE " + sqlState + ")");
      this.sqlState = sqlState;
    }

    String sqlState() {
      return sqlState;
    }
  }

  private WireProbe() {}

  /**
   * Connects to {@code socket} as {@code user} on {@code database} and runs {@code sql}; a watchdog
   * on {@code timer} closes the connection after {@code timeout}. Returns the first value of the
   * first row (text), or null when there is none.
   */
  static String execute(
      Path socket,
      String user,
      String database,
      String sql,
      Duration timeout,
      ScheduledExecutorService timer)
      throws IOException, ServerError {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ScheduledFuture<?> watchdog =
          timer.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.write(startup(user, database));
        readUntilReady(ch);
        ch.write(message('Q', cstring(sql)));
        String first = readUntilReady(ch);
        ch.write(message('X', new byte[0]));
        return first;
      } finally {
        watchdog.cancel(false);
      }
    }
  }

  /** Reads up to ReadyForQuery; returns the first value of the first row, if any, else null. */
  private static String readUntilReady(SocketChannel ch) throws IOException, ServerError {
    String first = null;
    boolean row = false;
    while (true) {
      ByteBuffer header = readFully(ch, 5);
      byte type = header.get();
      int length = header.getInt();
      if (length < 4 || length > 1 << 24) {
        throw new IOException("bad message length " + length);
      }
      ByteBuffer body = readFully(ch, length - 4);
      switch (type) {
        case 'R':
          int auth = body.getInt();
          if (auth != 0) {
            throw new IOException("server asks for authentication method " + auth);
          }
          break;
        case 'E':
          // During startup no ReadyForQuery follows an error; after it we need nothing more.
          throw parseError(body);
        case 'Z':
          return first;
        case 'D':
          if (!row) {
            row = true;
            int length0 = body.getShort() > 0 ? body.getInt() : -1;
            if (length0 >= 0) {
              first = new String(body.array(), body.position(), length0, StandardCharsets.UTF_8);
            }
          }
          break;
        default:
          // S, K, T, C, N, I: nothing the probe needs.
      }
    }
  }

  private static ServerError parseError(ByteBuffer body) {
    String code = "";
    String text = "";
    while (body.hasRemaining()) {
      byte field = body.get();
      if (field == 0) {
        break;
      }
      int start = body.position();
      while (body.get() != 0) {
        // scan to the NUL
      }
      String value =
          new String(body.array(), start, body.position() - start - 1, StandardCharsets.UTF_8);
      if (field == 'C') {
        code = value;
      } else if (field == 'M') {
        text = value;
      }
    }
    return new ServerError(code, text);
  }

  private static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new IOException("server closed the connection");
      }
    }
    return buf.flip();
  }

  private static ByteBuffer startup(String user, String database) {
    byte[] params =
        ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + params.length);
    buf.putInt(8 + params.length).putInt(PROTOCOL_3_0).put(params);
    return buf.flip();
  }

  private static ByteBuffer message(char type, byte[] payload) {
    ByteBuffer buf = ByteBuffer.allocate(5 + payload.length);
    buf.put((byte) type).putInt(4 + payload.length).put(payload);
    return buf.flip();
  }

  private static byte[] cstring(String s) {
    return (s + "\0").getBytes(StandardCharsets.UTF_8);
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing after a timeout
    }
  }
}
