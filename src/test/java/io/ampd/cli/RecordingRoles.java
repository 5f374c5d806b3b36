package io.ampd.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Roles} that start nothing: each call is recorded, for a test to see which role the command
 * line chose and with what, and answers {@link ExitCode#OK}.
 */
final class RecordingRoles implements Roles {
  /**
   * One call.
   *
   * @param role the role's name
   * @param invocation the resolved invocation
   * @param endpoints the endpoints of solo and server, else null
   * @param nodeId the worker's node id, else null
   */
  record Call(String role, Invocation invocation, Endpoints endpoints, String nodeId) {}

  final List<Call> calls = new ArrayList<>();

  @Override
  public int solo(Invocation invocation, Endpoints endpoints) {
    return record(new Call("solo", invocation, endpoints, null));
  }

  @Override
  public int controller(Invocation invocation) {
    return record(new Call("controller", invocation, null, null));
  }

  @Override
  public int server(Invocation invocation, Endpoints endpoints) {
    return record(new Call("server", invocation, endpoints, null));
  }

  @Override
  public int worker(Invocation invocation, String nodeId) {
    return record(new Call("worker", invocation, null, nodeId));
  }

  @Override
  public int migrate(Invocation invocation) {
    return record(new Call("migrate", invocation, null, null));
  }

  private int record(Call call) {
    calls.add(call);
    return ExitCode.OK;
  }
}
