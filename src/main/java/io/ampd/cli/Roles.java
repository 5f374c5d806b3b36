package io.ampd.cli;

/**
 * What the commands run once their command line, environment and config are resolved: the roles, as
 * the composition root wires them. Each returns the process's exit code ({@link ExitCode}).
 */
public interface Roles {
  /** {@code ampd solo}: every role in one process. */
  int solo(Invocation invocation, Endpoints endpoints) throws Exception;

  /** {@code ampd controller}: the admin API and the scheduler. */
  int controller(Invocation invocation) throws Exception;

  /** {@code ampd server}: the query endpoints. */
  int server(Invocation invocation, Endpoints endpoints) throws Exception;

  /** {@code ampd worker}: the jobs assigned to {@code nodeId} (a valid node id). */
  int worker(Invocation invocation, String nodeId) throws Exception;

  /** {@code ampd migrate}: pending migrations, then exit. */
  int migrate(Invocation invocation) throws Exception;
}
