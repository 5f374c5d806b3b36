package io.ampd.worker;

/**
 * Does the work of one job on a worker. The worker calls {@link #run} on a thread of its own after
 * the job went RUNNING, and sets the final status from how it ends:
 *
 * <ul>
 *   <li>returns normally: COMPLETED, or STOPPED if {@link JobContext#stop()} was requested;
 *   <li>throws {@link JobFailedException} with {@code fatal() == false}, or any other exception:
 *       ERROR (the controller retries it later with backoff, and the run resumes from the recorded
 *       progress);
 *   <li>throws {@link JobFailedException} with {@code fatal() == true}: FATAL, never retried (e.g.
 *       a malformed response, a manifest the provider cannot serve).
 * </ul>
 *
 * <p>A run must be resumable: after a crash or SIGKILL at any moment, running the same job again
 * produces every block exactly once.
 */
@FunctionalInterface
public interface JobRunner {
  void run(JobContext context) throws Exception;
}
