package io.ampd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's own behaviour: usage errors, help, version, the config requirement. */
class CliTest {
  private record Run(int code, String out, String err, List<RecordingRoles.Call> calls) {
    /** The one role the command line ran. */
    RecordingRoles.Call call() {
      assertEquals(1, calls.size(), calls + "\n" + err);
      return calls.get(0);
    }
  }

  private static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    RecordingRoles roles = new RecordingRoles();
    CliContext context =
        new CliContext(
            new HostEnvironment(env), new PrintWriter(out, true), new PrintWriter(err, true));
    int code = Cli.create(context, roles).execute(args);
    return new Run(code, out.toString(), err.toString(), roles.calls);
  }

  /** A config file for the commands that need one: a database URL nothing connects to. */
  private static final String CONFIG =
      "[metadata_db]\nurl = \"postgresql://ampd@127.0.0.1:1/amp\"\n";

  private static Run run(String... args) {
    return run(Map.of(), args);
  }

  @Test
  void noCommandIsAUsageError() {
    Run r = run();
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: missing command\n"), r.err());
    assertTrue(r.err().contains("hint: see 'ampd --help'"), r.err());
  }

  @Test
  void unknownCommandIsAUsageErrorThatListsTheCommands() {
    for (String[] args :
        List.of(new String[] {"bogus"}, new String[] {"--amp-dir", "/tmp/x", "bogus", "solo"})) {
      Run r = run(args);
      assertEquals(2, r.code());
      assertEquals(
          "error: unknown command 'bogus'\n"
              + "hint: the commands are solo, controller, server, worker, migrate; see 'ampd"
              + " --help'\n",
          r.err());
    }
  }

  @Test
  void unknownOptionOfASubcommandIsAUsageError() {
    Run r = run("solo", "--no-such-flag");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("Unknown option: '--no-such-flag'"), r.err());
    assertTrue(r.err().contains("hint: see 'ampd solo --help'"), r.err());
  }

  @Test
  void serverWithoutConfigSaysHowToGiveIt() {
    Run r = run("server");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: ampd server needs a config file\n"), r.err());
  }

  @Test
  void endpointFlagsAreOnSoloAndServer() {
    Run solo = run("solo", "--help");
    assertTrue(solo.out().contains("--admin-server"), solo.out());
    assertTrue(solo.out().contains("--flight-server"), solo.out());
    assertTrue(solo.out().contains("--jsonl-server"), solo.out());
    Run server = run("server", "--help");
    assertTrue(server.out().contains("--flight-server"), server.out());
    assertTrue(server.out().contains("--jsonl-server"), server.out());
    assertTrue(!server.out().contains("--admin-server"), server.out());
    assertEquals(2, run("controller", "--flight-server").code());
  }

  @Test
  void workerNeedsAWellFormedNodeId() {
    Run missing = run("worker");
    assertEquals(2, missing.code());
    assertEquals(
        "error: missing worker node id: pass --node-id ID or set AMP_NODE_ID\n"
            + "hint: see 'ampd worker --help'\n",
        missing.err());

    Run bad = run("worker", "--node-id", "9lives");
    assertEquals(2, bad.code());
    assertTrue(
        bad.err()
            .startsWith(
                "error: invalid worker node id '9lives': it must start with a"
                    + " letter and contain only letters, digits, '_', '-' and '.'"),
        bad.err());

    Run badEnv = run(Map.of("AMP_NODE_ID", "a b"), "worker");
    assertEquals(2, badEnv.code());
    assertTrue(badEnv.err().startsWith("error: invalid worker node id 'a b'"), badEnv.err());

    Run noConfig = run("worker", "--node-id", "w1");
    assertEquals(1, noConfig.code());
    assertTrue(
        noConfig.err().startsWith("error: ampd worker needs a config file\n"), noConfig.err());
  }

  @Test
  void versionOnEveryCommand() {
    for (String[] args :
        new String[][] {
          {"--version"},
          {"solo", "--version"},
          {"migrate", "--version"},
          {"controller", "--version"},
          {"worker", "--version"}
        }) {
      Run r = run(args);
      assertEquals(0, r.code(), String.join(" ", args));
      assertTrue(r.out().matches("(?s)ampd \\d+\\.\\d+\\.\\d+.*"), r.out());
    }
  }

  @Test
  void helpOnEveryCommand() {
    Run top = run("--help");
    assertEquals(0, top.code());
    for (String command : new String[] {"solo", "controller", "server", "worker", "migrate"}) {
      assertTrue(top.out().contains(command), top.out());
      Run r = run(command, "--help");
      assertEquals(0, r.code());
      assertTrue(r.out().contains("Usage: ampd " + command), r.out());
      assertTrue(r.out().contains("--config"), r.out());
      assertTrue(r.out().contains("--amp-dir"), r.out());
    }
  }

  @Test
  void migrateWithoutConfigSaysHowToGiveIt() {
    Run r = run("migrate");
    assertEquals(1, r.code());
    assertEquals(
        "error: ampd migrate needs a config file\n"
            + "hint: pass --config PATH or set AMP_CONFIG=PATH"
            + " (example: .amp.example/config.toml)\n",
        r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void controllerWithoutConfigSaysHowToGiveIt() {
    Run r = run("controller");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: ampd controller needs a config file\n"), r.err());
  }

  @Test
  void badLogLevelIsAnError() {
    Run r = run(Map.of("AMP_LOG", "loud"), "migrate");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: invalid AMP_LOG value 'loud'\n"), r.err());
  }

  @Test
  void usageErrorsAndMissingConfigRunNoRole() {
    for (String[] args :
        List.of(
            new String[] {},
            new String[] {"bogus"},
            new String[] {"solo", "--no-such-flag"},
            new String[] {"migrate"},
            new String[] {"worker"},
            new String[] {"worker", "--node-id", "w1"},
            new String[] {"solo", "--help"},
            new String[] {"--version"})) {
      assertEquals(List.of(), run(args).calls(), String.join(" ", args));
    }
  }

  @Test
  void eachCommandRunsItsRole(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("ampd.toml"), CONFIG);
    String c = config.toString();
    assertEquals("solo", run("solo").call().role());
    assertEquals("controller", run("--config", c, "controller").call().role());
    assertEquals("server", run("--config", c, "server").call().role());
    assertEquals("migrate", run("--config", c, "migrate").call().role());
    RecordingRoles.Call worker = run("--config", c, "worker", "--node-id", "w1").call();
    assertEquals("worker", worker.role());
    assertEquals("w1", worker.nodeId());
    assertEquals("w2", run(Map.of("AMP_NODE_ID", "w2"), "worker", "--config", c).call().nodeId());
    assertEquals(
        "w1",
        run(Map.of("AMP_NODE_ID", "w2"), "worker", "--config", c, "--node-id", "w1")
            .call()
            .nodeId());
  }

  @Test
  void globalOptionsGoBeforeOrAfterTheCommandAndTheCommandsOwnWin(@TempDir Path dir)
      throws Exception {
    Path config = Files.writeString(dir.resolve("ampd.toml"), CONFIG);
    Path other = Files.writeString(dir.resolve("other.toml"), CONFIG);
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    String c = config.toString();

    Invocation before =
        run("--config", c, "--amp-dir", a.toString(), "migrate").call().invocation();
    assertEquals("migrate", before.command());
    assertEquals(config, before.configFile().orElseThrow());
    assertEquals(a, before.ampDir());

    Invocation after = run("migrate", "--config", c, "--amp-dir", a.toString()).call().invocation();
    assertEquals(config, after.configFile().orElseThrow());
    assertEquals(a, after.ampDir());

    Invocation both =
        run("--config", other.toString(), "--amp-dir", b.toString(), "migrate", "--config", c)
            .call()
            .invocation();
    assertEquals(config, both.configFile().orElseThrow());
    assertEquals(b, both.ampDir());

    Invocation env =
        run(Map.of("AMP_CONFIG", c, "AMP_DIR", a.toString()), "--amp-dir", b.toString(), "migrate")
            .call()
            .invocation();
    assertEquals(config, env.configFile().orElseThrow());
    assertEquals(b, env.ampDir());
  }

  @Test
  void soloReadsTheAmpDirsConfigFile(@TempDir Path dir) throws Exception {
    Invocation without = run("--amp-dir", dir.toString(), "solo").call().invocation();
    assertTrue(without.configFile().isEmpty(), without.toString());
    Path config = Files.writeString(dir.resolve("config.toml"), CONFIG);
    Invocation with = run("solo", "--amp-dir", dir.toString()).call().invocation();
    assertEquals(config, with.configFile().orElseThrow());
  }

  @Test
  void endpointsComeFromFlagsThenEnvironmentElseAll(@TempDir Path dir) throws Exception {
    String c = Files.writeString(dir.resolve("ampd.toml"), CONFIG).toString();
    String amp = dir.resolve("amp").toString();
    assertEquals(Endpoints.ALL, run("--amp-dir", amp, "solo").call().endpoints());
    assertEquals(
        new Endpoints(true, false, false),
        run("--amp-dir", amp, "solo", "--admin-server").call().endpoints());
    assertEquals(
        new Endpoints(false, true, true),
        run("--amp-dir", amp, "solo", "--flight-server", "--jsonl-server").call().endpoints());
    assertEquals(
        new Endpoints(true, false, true),
        run(Map.of("AMP_ADMIN_SERVER", "1"), "--amp-dir", amp, "solo", "--jsonl-server")
            .call()
            .endpoints());
    assertEquals(new Endpoints(false, true, true), run("--config", c, "server").call().endpoints());
    assertEquals(
        new Endpoints(false, true, false),
        run("--config", c, "server", "--flight-server").call().endpoints());
    assertEquals(
        new Endpoints(false, false, true),
        run(Map.of("AMP_JSONL_SERVER", "true", "AMP_ADMIN_SERVER", "true"), "--config", c, "server")
            .call()
            .endpoints());
  }

  /**
   * The help of each command, word for word as users have it (src/test/resources/io/ampd/cli/help).
   */
  @Test
  void helpTextIsUnchanged() throws Exception {
    for (String command :
        new String[] {"ampd", "solo", "controller", "server", "worker", "migrate"}) {
      String expected;
      try (var in = CliTest.class.getResourceAsStream("help/" + command + ".txt")) {
        expected = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      Run r = command.equals("ampd") ? run("--help") : run(command, "--help");
      assertEquals(0, r.code());
      assertEquals(expected, r.out().replace(System.lineSeparator(), "\n"), command);
    }
  }
}
