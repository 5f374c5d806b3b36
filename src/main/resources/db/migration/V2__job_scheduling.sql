-- ampd metadata schema, version 2: what scheduling needs beyond V1's jobs and workers.
-- Released migrations are never edited (MigrationChecksumPinTest).

-- Retries of a job that ended in ERROR: how many runs failed, when the next may start (set by the
-- controller from its backoff), and why the last one failed (also in its job_events row).
ALTER TABLE jobs
  ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN last_error      text,
  ADD CONSTRAINT jobs_attempts_non_negative CHECK (attempts >= 0);

-- Deploy is idempotent: at most one active (not yet finished) job per dataset version. A
-- concurrent second deploy loses on this index and returns the first one's job.
CREATE UNIQUE INDEX jobs_one_active_per_dataset_idx
  ON jobs (dataset_namespace, dataset_name, dataset_version)
  WHERE status IN ('SCHEDULED', 'RUNNING', 'STOP_REQUESTED', 'STOPPING', 'ERROR');

-- A worker that stopped cleanly says so, so nothing is scheduled onto it while its last
-- heartbeat still looks fresh. Cleared when it registers again.
ALTER TABLE workers ADD COLUMN stopped_at timestamptz;
