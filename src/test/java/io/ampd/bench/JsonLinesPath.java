package io.ampd.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The query server's JSON Lines endpoint through the JDK's HttpClient (HTTP/1.1, one kept-alive
 * connection): {@code POST /} with the SQL as body, the whole {@code application/x-ndjson} body
 * read; its rows are its lines. Counting them costs this JVM a pass over every byte (C1 code, about
 * 0.6 ms a MB here), which the other paths do not pay (Arrow batches carry their row count): so it
 * is done only while {@link #countLines} is on (warm-up), and timed fetches read and drop the body.
 * A failed query still shows then: as a status other than 200 before any row, or as a body cut
 * short (the server leaves out the final chunk), which HttpClient reports as an error.
 */
final class JsonLinesPath implements SqlPath {
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI uri;
  private final String dataset;
  private boolean countLines = true;

  /**
   * @param dataset how the SQL names the dataset, e.g. {@code "example/mainnet"} (quoted)
   */
  JsonLinesPath(int port, String dataset) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/");
    this.dataset = dataset;
  }

  /** Whether {@link #fetch} counts the lines (the rows); when not, it gives -1 rows. */
  void countLines(boolean on) {
    countLines = on;
  }

  @Override
  public String label() {
    return "JSON Lines";
  }

  @Override
  public String table(String table) {
    return dataset + "." + table;
  }

  @Override
  public Fetched fetch(String sql) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "text/plain; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(sql))
            .build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        throw new BenchException(
            "JSON Lines answered HTTP " + response.statusCode() + " to: " + sql, body);
      }
      byte[] buf = new byte[64 * 1024];
      long rows = 0;
      long bytes = 0;
      int n;
      while ((n = in.read(buf)) >= 0) {
        bytes += n;
        if (countLines) {
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              rows++;
            }
          }
        }
      }
      return new Fetched(countLines ? rows : -1, bytes);
    }
  }

  @Override
  public void close() {
    // the JDK 17 HttpClient has no close; its connection goes with the JVM
  }
}
