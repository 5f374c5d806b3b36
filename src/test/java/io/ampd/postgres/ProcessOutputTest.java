package io.ampd.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class ProcessOutputTest {
  @Test
  void routineCheckpointLinesAreDebugAndTroubleIsAWarning() {
    String starting = "[6818] LOG:  checkpoint starting: time";
    String complete =
        "[6818] LOG:  checkpoint complete: wrote 10 buffers (0.1%); 0 WAL file(s) added, 0"
            + " removed, 0 recycled; write=0.910 s, sync=0.012 s, total=0.944 s";
    assertEquals(Level.DEBUG, ProcessOutput.level(starting, false));
    assertEquals(Level.DEBUG, ProcessOutput.level(complete, false));
    // everything else PostgreSQL says stays visible
    assertEquals(Level.INFO, ProcessOutput.level("[6822] LOG:  shutting down", false));
    assertEquals(
        Level.INFO,
        ProcessOutput.level("[6818] LOG:  database system is ready to accept connections", false));
    assertEquals(
        Level.WARN,
        ProcessOutput.level("[22203] FATAL:  configuration file contains errors", false));
    assertEquals(Level.WARN, ProcessOutput.level("[1] PANIC:  could not write", false));
    assertEquals(Level.DEBUG, ProcessOutput.level("[1] FATAL:  anything", true));
  }
}
