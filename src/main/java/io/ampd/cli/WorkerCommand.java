package io.ampd.cli;

import io.ampd.registry.NodeId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ampd worker --node-id ID}: runs the jobs the controller assigns to this node. */
@Command(
    name = "worker",
    description =
        "Run a worker: register NODE_ID, heartbeat, and run the extraction jobs assigned to"
            + " it. Needs --config with metadata_db.url. Stop with SIGTERM or Ctrl+C: running"
            + " jobs are handed back to the controller and resume from their progress.")
final class WorkerCommand extends RoleCommand {
  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description =
          "This worker's node id, unique among running workers. Also AMP_NODE_ID. A letter,"
              + " then letters, digits, _ - .")
  String nodeId;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String id = nodeId != null ? nodeId : context().env().nodeId().orElse(null);
    if (id == null) {
      throw new ParameterException(
          spec.commandLine(), "missing worker node id: pass --node-id ID or set AMP_NODE_ID");
    }
    try {
      NodeId.validate(id);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return roles().worker(invocation("worker", false), id);
  }
}
