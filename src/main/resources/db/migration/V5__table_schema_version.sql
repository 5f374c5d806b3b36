-- The version of the Parquet schema of a table revision's files (docs/design.md, "Schema
-- versions"): 1 for the revisions written before this migration (ampd's first columns, logs from
-- eth_getLogs), the writer's version for new ones. A revision never holds files of two versions:
-- a job refuses to continue a revision of another version that has files.
ALTER TABLE table_revisions ADD COLUMN schema_version integer NOT NULL DEFAULT 1;
ALTER TABLE table_revisions
  ADD CONSTRAINT table_revisions_schema_version_positive CHECK (schema_version >= 1);
