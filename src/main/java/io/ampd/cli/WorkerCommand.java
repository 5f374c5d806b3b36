package io.ampd.cli;

import io.ampd.Daemon;
import io.ampd.registry.NodeId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/** {@code ampd worker --node-id ID}: runs the jobs the controller assigns to this node. */
final class WorkerCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions top;
  private final GlobalOptions own;
  private CommandSpec spec;
  private OptionSpec nodeId;

  WorkerCommand(CliContext context, GlobalOptions top, GlobalOptions own) {
    this.context = context;
    this.top = top;
    this.own = own;
  }

  /** Adds {@code --node-id} to the command's spec. */
  void addOptionsTo(CommandSpec spec) {
    this.spec = spec;
    nodeId =
        OptionSpec.builder("--node-id")
            .paramLabel("ID")
            .type(String.class)
            .description(
                "This worker's node id, unique among running workers. Also AMP_NODE_ID. A letter,"
                    + " then letters, digits, _ - .")
            .build();
    spec.addOption(nodeId);
  }

  @Override
  public Integer call() throws Exception {
    String given = nodeId.getValue();
    String id = given != null ? given : context.env().nodeId().orElse(null);
    if (id == null) {
      throw new ParameterException(
          spec.commandLine(), "missing worker node id: pass --node-id ID or set AMP_NODE_ID");
    }
    try {
      NodeId.validate(id);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Invocation invocation = Invocation.of(context, top, own, false, "worker");
    return new Daemon(context, invocation).worker(id);
  }
}
