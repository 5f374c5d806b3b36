package io.ampd.metadb;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a job. Changes are compare-and-set in {@link JobSql}, each with an event.
 *
 * <pre>
 * SCHEDULED -> RUNNING -> COMPLETED | ERROR | FATAL | STOPPED
 * SCHEDULED | RUNNING -> STOP_REQUESTED -> STOPPING -> STOPPED
 * ERROR -> SCHEDULED (retry after backoff)      RUNNING -> SCHEDULED (worker stopped or dead)
 * </pre>
 */
public enum JobStatus {
  SCHEDULED,
  RUNNING,
  COMPLETED,
  STOP_REQUESTED,
  STOPPING,
  STOPPED,
  ERROR,
  FATAL;

  /** Not finished: at most one such job per dataset version (deploy returns it). */
  public static final Set<JobStatus> ACTIVE =
      EnumSet.of(SCHEDULED, RUNNING, STOP_REQUESTED, STOPPING, ERROR);

  /** Finished for good: nothing changes them any more; only these can be deleted. */
  public static final Set<JobStatus> TERMINAL = EnumSet.of(COMPLETED, STOPPED, FATAL);

  /** A worker holds the job: it runs, or is being stopped. */
  public static final Set<JobStatus> ON_WORKER =
      EnumSet.of(SCHEDULED, RUNNING, STOP_REQUESTED, STOPPING);

  public boolean terminal() {
    return TERMINAL.contains(this);
  }
}
