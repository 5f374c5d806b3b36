package io.ampd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.SyntheticChain.Tx;
import io.ampd.testing.TempDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's "Five minutes with ampd" as a user runs it: its shell lines, run with bash against
 * {@code ampd solo} (ports and the node's URL replaced by the test's), answer what the chain holds;
 * then the JDBC URL it gives, through the Arrow Flight SQL JDBC driver.
 */
class ReadmeWalkthroughIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MARKER = "<!-- walkthrough:";

  private final List<AmpdProcess> processes = new ArrayList<>();
  private Path base;
  private FakeEvmNode node;

  @AfterEach
  void tearDown() throws Exception {
    for (AmpdProcess p : processes) {
      p.close();
    }
    if (node != null) {
      node.close();
    }
    if (base != null) {
      TempDirs.deleteRecursively(base);
    }
  }

  /** The shell lines of the README's walk-through, comments and blank lines left out. */
  static List<String> walkthrough() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
    int at = 0;
    while (!lines.get(at).startsWith(MARKER)) {
      at++;
    }
    assertEquals("```sh", lines.get(++at));
    List<String> out = new ArrayList<>();
    while (!lines.get(++at).equals("```")) {
      String line = lines.get(at).strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        out.add(line);
      }
    }
    return out;
  }

  private static String bash(String line) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", line).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), line + "\n" + out);
    return out;
  }

  @Test
  void theWalkthroughAnswersWhatTheChainHolds() throws Exception {
    SyntheticChain chain = new SyntheticChain(5);
    node = FakeEvmNode.start(chain, 9_999 + 5, 2);
    base = TempDirs.create("ampd-it-readme");
    int admin = AmpdProcess.freePort();
    Map<String, String> env = AmpdProcess.envWithAdminPort(admin);
    String jsonl = env.get("AMP_CONFIG_JSONL_ADDR");
    String flight = env.get("AMP_CONFIG_FLIGHT_ADDR");
    AmpdProcess solo =
        AmpdProcess.start(base, env, "--amp-dir", base.resolve(".amp").toString(), "solo");
    processes.add(solo);
    solo.awaitHealthy(admin, Duration.ofSeconds(60));

    Map<String, String> replace = new HashMap<>();
    replace.put("localhost:1610", "127.0.0.1:" + admin);
    replace.put("localhost:1603", jsonl);
    replace.put("http://127.0.0.1:8545", node.url());
    List<String> outputs = new ArrayList<>();
    boolean waited = false;
    for (String line : walkthrough()) {
      String run = line;
      for (Map.Entry<String, String> e : replace.entrySet()) {
        run = run.replace(e.getKey(), e.getValue());
      }
      if (run.contains(jsonl) && !waited) {
        awaitCompleted(admin, solo);
        waited = true;
      }
      outputs.add(bash(run));
    }
    assertEquals(7, outputs.size(), outputs.toString());
    assertEquals("mainnet", JSON.readTree(outputs.get(0)).get("name").asText(), outputs.get(0));
    assertEquals("1.0.0", JSON.readTree(outputs.get(1)).get("version").asText(), outputs.get(1));
    assertEquals(1, JSON.readTree(outputs.get(2)).get("job_id").asLong(), outputs.get(2));
    assertTrue(outputs.get(3).contains("\"tables\""), outputs.get(3));

    JsonNode counts = JSON.readTree(outputs.get(4));
    assertEquals(10_000, counts.get("blocks").asLong(), outputs.get(4));
    assertEquals(9_999, counts.get("last").asLong(), outputs.get(4));

    Map<String, Integer> bySender = new HashMap<>();
    for (long n = 0; n < 10_000; n++) {
      for (Tx tx : chain.block(n).transactions()) {
        bySender.merge(tx.from(), 1, Integer::sum);
      }
    }
    int top = bySender.values().stream().max(Integer::compare).orElseThrow();
    String[] senders = outputs.get(5).strip().split("\n");
    assertEquals(3, senders.length, outputs.get(5));
    JsonNode first = JSON.readTree(senders[0]);
    assertEquals(top, first.get("txs").asInt(), outputs.get(5));
    assertEquals(top, (int) bySender.get(first.get("from").asText()), outputs.get(5));

    JsonNode block = JSON.readTree(outputs.get(6));
    assertEquals(4242, block.get("block_num").asLong());
    assertEquals(chain.blockHash(4242), block.get("hash").asText());

    // the JDBC URL of the README, with the test's port
    String url = "jdbc:arrow-flight-sql://" + flight + "/?useEncryption=false";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT count(*) FROM \"example/mainnet@1.0.0\".transactions")) {
      assertTrue(r.next());
      long txs = 0;
      for (long n = 0; n < 10_000; n++) {
        txs += chain.block(n).transactions().size();
      }
      assertEquals(txs, r.getLong(1));
    }
    try (Connection c = DriverManager.getConnection(url);
        ResultSet r = c.getMetaData().getTables(null, "example/mainnet@1.0.0", "%", null)) {
      List<String> tables = new ArrayList<>();
      while (r.next()) {
        tables.add(r.getString("TABLE_NAME"));
      }
      assertEquals(List.of("blocks", "transactions", "logs"), tables);
    }

    solo.signal("TERM");
    assertEquals(0, solo.waitFor(Duration.ofSeconds(30)), solo.stderr());
  }

  private static void awaitCompleted(int admin, AmpdProcess solo) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      AmpdProcess.HttpResult r = AmpdProcess.get(admin, "/jobs/1");
      if (r.status() == 200
          && JSON.readTree(r.body()).path("status").asText().equals("COMPLETED")) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job 1 did not complete: " + r.body() + "\n" + solo.stderr());
      }
      Thread.sleep(100);
    }
  }
}
