package io.ampd.app;

import io.ampd.config.HostPort;
import io.ampd.config.ListenFailure;
import io.ampd.core.AmpdException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before a start creates anything on disk, that every address it will listen on can be
 * bound: each is bound and held until all are, then released (so one address given to two endpoints
 * fails too). A taken port then costs nothing: no amp dir, no {@code initdb}.
 */
final class ListenAddresses {
  /** One endpoint's address, its config key and the endpoint's name for messages. */
  record Listen(HostPort addr, String key, String what, int otherPort) {}

  private ListenAddresses() {}

  static void check(List<Listen> listens) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (Listen l : listens) {
        ServerSocket socket = new ServerSocket();
        held.add(socket);
        try {
          socket.setReuseAddress(true);
          socket.bind(new InetSocketAddress(l.addr().host(), l.addr().port()), 1);
        } catch (IOException e) {
          throw cannotListen(l, e);
        }
      }
    } catch (IOException e) {
      throw new AmpdException(
          "cannot open a socket: " + e.getMessage(), "check the system's limits");
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // released with the process anyway
        }
      }
    }
  }

  static AmpdException cannotListen(Listen l, IOException e) {
    return ListenFailure.of(l.addr(), l.what(), l.key(), l.otherPort(), e);
  }
}
