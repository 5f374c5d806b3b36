-- ampd metadata schema, version 3: the hash of the last recorded block, with the progress.
-- Released migrations are never edited (MigrationChecksumPinTest).

-- A resumed job checks that the first block it reads continues the last block recorded (its
-- parent hash is this hash), so a reorganisation while the job was not running is caught too.
-- Null for progress recorded before this column existed (the check is then skipped once).
ALTER TABLE extraction_progress
  ADD COLUMN last_block_hash bytea,
  ADD CONSTRAINT extraction_progress_last_block_hash_length
    CHECK (last_block_hash IS NULL OR octet_length(last_block_hash) = 32);
