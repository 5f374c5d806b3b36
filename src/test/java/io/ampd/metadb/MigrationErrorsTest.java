package io.ampd.metadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.config.PgUrl;
import io.ampd.core.AmpdException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MigrationErrorsTest {

  @Test
  void refusedConnectionNamesTheRedactedUrl() throws IOException {
    int port = closedPort();
    PgUrl url = PgUrl.parse("postgresql://alice:s3cret@127.0.0.1:" + port + "/amp");

    AmpdException e = assertThrows(AmpdException.class, () -> Migrations.migrate(url, l -> {}));

    assertTrue(
        e.getMessage()
            .startsWith("failed to connect to metadata database (" + url.redacted() + "): "),
        e.getMessage());
    assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    assertEquals("check metadata_db.url; try: psql \"" + url.psqlUrl() + "\"", e.hint());
    assertFalse(e.hint().contains("s3cret"), e.hint());
  }

  @Test
  void serverThatNeverAnswersFailsAfterConnectTimeout() throws IOException {
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(blackHole.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              },
              "black-hole");
      acceptor.setDaemon(true);
      acceptor.start();
      PgUrl url =
          PgUrl.parse(
              "postgresql://alice:s3cret@127.0.0.1:"
                  + blackHole.getLocalPort()
                  + "/amp?connect_timeout=2");

      AmpdException e =
          assertTimeout(
              Duration.ofSeconds(20),
              () -> assertThrows(AmpdException.class, () -> Migrations.migrate(url, l -> {})));

      assertTrue(
          e.getMessage()
              .startsWith("failed to connect to metadata database (" + url.redacted() + "): "),
          e.getMessage());
      assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    } finally {
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void userWithoutCreateOnSchemaPublicIsToldTheGrants() {
    PgUrl owner = TestDb.createDatabase();
    String role = "r_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    TestDb.execute(owner, "CREATE ROLE " + role + " LOGIN");
    try {
      PgUrl url = TestDb.asUser(owner, role);

      AmpdException e = assertThrows(AmpdException.class, () -> Migrations.migrate(url, l -> {}));

      assertEquals("permission denied: permission denied for schema public", e.getMessage());
      assertEquals(
          "ask the database owner to run: GRANT CONNECT, CREATE ON DATABASE "
              + owner.database()
              + " TO "
              + role
              + "; GRANT USAGE, CREATE ON SCHEMA public TO "
              + role
              + "; (or make "
              + role
              + " the owner of database "
              + owner.database()
              + ")",
          e.hint());
      TestDb.execute(owner, "GRANT CREATE ON SCHEMA public TO " + role);
      assertEquals(Migrations.LATEST_VERSION, Migrations.migrate(url, l -> {}).current());
    } finally {
      TestDb.execute(owner, "DROP OWNED BY " + role);
      TestDb.execute(owner, "DROP ROLE " + role);
    }
  }

  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
