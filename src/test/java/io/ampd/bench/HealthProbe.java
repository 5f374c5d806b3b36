package io.ampd.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /healthz} (or another path) over a raw socket, one short connection per probe. A
 * refused connection costs microseconds, so polling every few milliseconds measures readiness
 * without loading the benchmark's own JVM; the code paths are exercised once before timing starts
 * (warm-up).
 */
final class HealthProbe {
  private static final int CONNECT_TIMEOUT_MS = 500;
  private static final int READ_TIMEOUT_MS = 5_000;

  private final InetSocketAddress address;
  private final byte[] request;

  /** The admin API's {@code GET /healthz}. */
  HealthProbe(int port) {
    this(port, "/healthz");
  }

  /** {@code GET path}, e.g. the JSON Lines endpoint's {@code /health}. */
  HealthProbe(int port, String path) {
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.request =
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
  }

  /** The HTTP status, or -1 when nothing listens or the answer is not HTTP. */
  int status() {
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(address, CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      return parseStatus(socket.getInputStream());
    } catch (IOException e) {
      return -1;
    }
  }

  /** Reads {@code HTTP/1.1 200 ...}; the rest of the answer is not needed. */
  private static int parseStatus(InputStream in) throws IOException {
    byte[] buf = new byte[16];
    int n = 0;
    while (n < 12) {
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        return -1;
      }
      n += r;
    }
    String head = new String(buf, 0, n, StandardCharsets.US_ASCII);
    if (!head.startsWith("HTTP/1.")) {
      return -1;
    }
    try {
      return Integer.parseInt(head.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
