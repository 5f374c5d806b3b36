-- ampd metadata schema, version 4: live progress of running jobs.
-- Released migrations are never edited (MigrationChecksumPinTest).

-- What a running job's worker publishes about the segment it is writing, so that the admin API
-- (possibly another process) can show progress between commits. One row per job, upserted by the
-- worker at most about once a second, outside the segment's commit transaction; the committed
-- progress stays what extraction_progress and files record. When the run ends, running is false,
-- fetched_block is set back to the last committed block (an abandoned segment is gone) and the
-- rate and the segment are cleared; the target stays.
CREATE TABLE job_progress (
  job_id            bigint           PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  -- The worker running it (no foreign key: a row outlives its run).
  node_id           text             NOT NULL,
  -- The first block of the dataset (manifest start_block): "done" counts from it.
  start_block       bigint           NOT NULL,
  -- Last block fetched and written into the segment in progress (null before the first).
  fetched_block     bigint,
  -- end_block, or the confirmed chain head last seen when there is none (null until known).
  target_block      bigint,
  -- Blocks fetched per second over the last minute (null until measured, and after the run).
  blocks_per_second double precision,
  -- Per table: rows and bytes of the segment in progress, not committed yet:
  -- {"blocks": {"rows": 120, "bytes": 45000}, ...}.
  segment           jsonb            NOT NULL DEFAULT '{}',
  running           boolean          NOT NULL,
  updated_at        timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT job_progress_segment_object CHECK (jsonb_typeof(segment) = 'object'),
  CONSTRAINT job_progress_rate_non_negative
    CHECK (blocks_per_second IS NULL OR blocks_per_second >= 0)
);
