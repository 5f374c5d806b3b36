package io.ampd.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.registry.DatasetKind;
import io.ampd.registry.ProviderConfig;
import io.ampd.registry.RetryPolicy;
import io.ampd.testing.FakeEvmNode;
import io.ampd.testing.NoStop;
import io.ampd.testing.SyntheticChain;
import io.ampd.testing.TempDirs;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTPS with the JDK's trust store: a node with a self-signed certificate is refused with a clear
 * line, and accepted by a JVM given a trust store that holds the certificate.
 */
@Timeout(120)
class ProviderTlsTest {
  private static final String PASSWORD = "changeit";
  private static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    dir = TempDirs.create("tls");
    keytool(
        "-genkeypair",
        "-alias",
        "node",
        "-keyalg",
        "EC",
        "-dname",
        "CN=localhost",
        "-ext",
        "san=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        dir.resolve("node.p12").toString(),
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "node",
        "-rfc",
        "-keystore",
        dir.resolve("node.p12").toString(),
        "-storepass",
        PASSWORD,
        "-file",
        dir.resolve("node.crt").toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "node",
        "-file",
        dir.resolve("node.crt").toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        dir.resolve("trust.p12").toString(),
        "-storepass",
        PASSWORD);
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Result r = run(cmd);
    assertEquals(0, r.exit(), r.output());
  }

  private record Result(int exit, String output) {}

  /** Runs {@code cmd} to its end (at most 60 s, then it is killed by pid). */
  private static Result run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (InputStream in = p.getInputStream()) {
      String output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + cmd);
      return new Result(p.exitValue(), output.strip());
    } finally {
      p.destroyForcibly();
    }
  }

  private static SSLContext nodeTls() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("node.p12"))) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    return tls;
  }

  @Test
  void aSelfSignedCertificateIsRefusedWithOneClearLine() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.startHttps(new SyntheticChain(1), 10, 2, nodeTls())) {
      String where = "127.0.0.1:" + node.url().split(":")[2].replace("/", "");
      ProviderConfig p =
          new ProviderConfig(
              "p",
              DatasetKind.EVM_RPC.kindName(),
              node.url(),
              "n",
              1,
              1,
              Duration.ofSeconds(10),
              new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(1)));
      RpcClient rpc = new RpcClient(p, NoStop.NEVER);
      TransientRpcException e =
          assertThrows(
              TransientRpcException.class,
              () -> rpc.call(List.of(new RpcCall("eth_blockNumber", List.of()))));
      assertEquals(
          "request to provider p ("
              + node.url()
              + ") failed: TLS: the certificate of "
              + where
              + " is not trusted by the JVM's trust store (to trust it, start ampd with"
              + " -Djavax.net.ssl.trustStore=FILE holding it or its CA)",
          e.getMessage());
      // Not retried: the next try would meet the same certificate.
      assertEquals(0, node.requests());
    }
  }

  @Test
  void aJvmGivenATrustStoreHoldingTheCertificateAcceptsTheNode() throws Exception {
    try (FakeEvmNode node = FakeEvmNode.startHttps(new SyntheticChain(1), 10, 2, nodeTls())) {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      List<String> cmd =
          List.of(
              java.toString(),
              "-Djavax.net.ssl.trustStore=" + dir.resolve("trust.p12"),
              "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
              "-cp",
              System.getProperty("java.class.path"),
              TlsProbe.class.getName(),
              node.url());
      Result trusted = run(cmd);
      assertEquals(new Result(0, "\"0xa\""), trusted);
      assertEquals(1, node.requests());
    }
  }
}
