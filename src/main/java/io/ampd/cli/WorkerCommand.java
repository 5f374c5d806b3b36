package io.ampd.cli;

import io.ampd.Daemon;
import io.ampd.registry.NodeId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ampd worker --node-id ID}: runs the jobs the controller assigns to this node. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Run a worker: register NODE_ID, heartbeat, and run the extraction jobs assigned to it.",
      "Needs --config with metadata_db.url. Stop with SIGTERM or Ctrl+C: running jobs are",
      "handed back to the controller and resume from their progress."
    })
public final class WorkerCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin GlobalOptions global;

  @ParentCommand AmpdCommand parent;

  @Spec CommandSpec spec;

  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description =
          "This worker's node id, unique among running workers. Also AMP_NODE_ID. A letter,"
              + " then letters, digits, _ - .")
  String nodeId;

  public WorkerCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    String id = nodeId != null ? nodeId : context.env().nodeId().orElse(null);
    if (id == null) {
      throw new ParameterException(
          spec.commandLine(), "missing worker node id: pass --node-id ID or set AMP_NODE_ID");
    }
    try {
      NodeId.validate(id);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Invocation invocation = Invocation.of(context, parent.global, global, false, "worker");
    return new Daemon(context, invocation).worker(id);
  }
}
