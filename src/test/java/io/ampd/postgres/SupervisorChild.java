package io.ampd.postgres;

import java.nio.file.Path;

/** Runs a supervisor in a child JVM for the SIGKILL tests: prints "pid <n>", then waits. */
public final class SupervisorChild {
  private SupervisorChild() {}

  public static void main(String[] args) throws Exception {
    PostgresSupervisor s =
        PostgresSupervisor.start(
            PgTestSupport.settings(Path.of(args[0])), new PostgresSupervisor.Listener() {});
    System.out.println("pid " + s.pid());
    System.out.flush();
    Thread.sleep(120_000);
  }
}
