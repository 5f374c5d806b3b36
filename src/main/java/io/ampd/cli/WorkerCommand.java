package io.ampd.cli;

import io.ampd.registry.NodeId;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/** {@code ampd worker --node-id ID}: runs the jobs the controller assigns to this node. */
final class WorkerCommand extends RoleCommand {
  private final OptionSpec nodeId =
      OptionSpec.builder("--node-id")
          .paramLabel("ID")
          .type(String.class)
          .description(
              "This worker's node id, unique among running workers. Also AMP_NODE_ID. A letter,"
                  + " then letters, digits, _ - .")
          .build();

  WorkerCommand(AmpdCommand ampd) {
    super(
        ampd,
        "worker",
        "Run a worker: register NODE_ID, heartbeat, and run the extraction jobs assigned to"
            + " it. Needs --config with metadata_db.url. Stop with SIGTERM or Ctrl+C: running"
            + " jobs are handed back to the controller and resume from their progress.");
    spec.addOption(nodeId);
  }

  @Override
  public Integer call() throws Exception {
    String given = nodeId.getValue();
    String id = given != null ? given : context().env().nodeId().orElse(null);
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
