package io.ampd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.HostEnvironment;
import io.ampd.Shutdown;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line's own behaviour: usage errors, help, version, the config requirement. */
class CliTest {
  private record Run(int code, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Cli.create(
                new HostEnvironment(env),
                new Shutdown(),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                args)
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

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
}
