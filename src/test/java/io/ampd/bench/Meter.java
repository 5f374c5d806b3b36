package io.ampd.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What one phase of the extraction benchmark cost: wall time, CPU time of this JVM (client or
 * extractor) and the part of it spent collecting garbage, CPU time of the node's JVM (by pid), and
 * of the whole machine (everything else included, so a busy neighbour shows), plus the load average
 * when the phase ended.
 */
final class Meter {
  private final long nodePid;
  private final long ticksPerSecond = ProcFs.ticksPerSecond();

  Meter(long nodePid) {
    this.nodePid = nodePid;
  }

  /** A point in time to measure a phase from. */
  record Reading(
      long nanos,
      long jvmCpuNanos,
      long gcMillis,
      long nodeTicks,
      long machineBusy,
      long machineAll) {}

  /**
   * A measured phase; CPU times in seconds.
   *
   * @param machineBusyCores the machine's busy CPU time divided by the wall time: 2.0 on a 2-core
   *     machine means it was saturated
   */
  record Phase(
      double seconds,
      double jvmCpu,
      double jvmGc,
      double nodeCpu,
      double machineBusyCores,
      String loadAverage) {}

  Reading read() throws IOException {
    long[] machine = ProcFs.machineTicks();
    return new Reading(
        System.nanoTime(), jvmCpuNanos(), gcMillis(), nodeTicks(), machine[0], machine[1]);
  }

  Phase since(Reading start) throws IOException {
    Reading end = read();
    double seconds = (end.nanos() - start.nanos()) / 1e9;
    return new Phase(
        seconds,
        (end.jvmCpuNanos() - start.jvmCpuNanos()) / 1e9,
        (end.gcMillis() - start.gcMillis()) / 1e3,
        (end.nodeTicks() - start.nodeTicks()) / (double) ticksPerSecond,
        (end.machineBusy() - start.machineBusy()) / (double) ticksPerSecond / seconds,
        ProcFs.loadAverage());
  }

  private long nodeTicks() {
    return ProcFs.cpuTicks(nodePid)
        .orElseThrow(() -> new BenchException("the node (pid " + nodePid + ") is gone", ""));
  }

  /** Time spent in garbage collection by this JVM so far (all collectors). */
  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
