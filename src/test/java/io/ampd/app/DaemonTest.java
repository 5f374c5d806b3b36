package io.ampd.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ampd.config.AmpConfig;
import io.ampd.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonTest {
  @TempDir Path dir;

  private AmpConfig config(Map<String, String> env) {
    return ConfigLoader.load(Optional.empty(), dir, env, true);
  }

  @Test
  void aWorkersSessionsGiveUpWithinHalfTheWorkerTimeout() {
    // Defaults: network timeout 30 s, worker timeout 10 s.
    assertEquals(Duration.ofSeconds(5), Daemon.workerSessionTimeout(config(Map.of())));
    assertEquals(
        Duration.ofSeconds(2),
        Daemon.workerSessionTimeout(
            config(Map.of("AMP_CONFIG_METADATA_DB__NETWORK_TIMEOUT_SECS", "2"))));
    assertEquals(
        Duration.ofSeconds(30),
        Daemon.workerSessionTimeout(
            config(Map.of("AMP_CONFIG_CONTROLLER__WORKER_TIMEOUT_SECS", "600"))));
    assertEquals(
        Duration.ofMillis(1500),
        Daemon.workerSessionTimeout(
            config(Map.of("AMP_CONFIG_CONTROLLER__WORKER_TIMEOUT_SECS", "3"))));
  }
}
