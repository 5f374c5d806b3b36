package io.ampd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The admin API of one ampd, JSON over HTTP/1.1 on raw sockets, one short connection per request
 * ({@code Connection: close}), read to the end.
 *
 * <p>Why not a kept-alive connection: the JDK's HTTP server, which ampd's admin API runs on, leaves
 * Nagle's algorithm on by default, so a request on a reused connection waits for the client's
 * delayed ACK, about 40 ms. Polling through that would measure the TCP stack, not the job; a fresh
 * loopback connection answers in a millisecond or two.
 */
final class AdminClient {
  private static final int CONNECT_TIMEOUT_MS = 1_000;
  private static final int READ_TIMEOUT_MS = 10_000;

  private final ObjectMapper mapper = new ObjectMapper();
  private final InetSocketAddress address;
  private final String host;

  AdminClient(int port) {
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.host = "127.0.0.1:" + port;
  }

  /** An answer: the HTTP status and the JSON body (a missing node when the body was empty). */
  record Answer(String what, int status, JsonNode body) {
    /** The body, if the status is one of {@code expected}; otherwise a BenchException. */
    JsonNode expect(int... expected) {
      for (int e : expected) {
        if (status == e) {
          return body;
        }
      }
      throw new BenchException(what + " answered " + status + ": " + body, "");
    }
  }

  Answer get(String path) throws IOException {
    return send("GET", path);
  }

  Answer post(String path) throws IOException {
    return send("POST", path);
  }

  Answer put(String path) throws IOException {
    return send("PUT", path);
  }

  private Answer send(String method, String path) throws IOException {
    String what = method + " " + path;
    String request =
        what + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    byte[] raw;
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(address, CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      raw = socket.getInputStream().readAllBytes();
    }
    String text = new String(raw, StandardCharsets.UTF_8);
    int headEnd = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.") || text.length() < 12 || headEnd < 0) {
      throw new BenchException(what + " got no HTTP answer", text);
    }
    int status;
    try {
      status = Integer.parseInt(text.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new BenchException(what + " got a malformed status line", text);
    }
    String body = text.substring(headEnd + 4);
    JsonNode json = body.isBlank() ? mapper.missingNode() : mapper.readTree(body);
    return new Answer(what, status, json);
  }
}
