-- ampd metadata schema, version 1 (docs/design.md "Metadata schema").
-- Released migrations are never edited (MigrationChecksumPinTest): change the schema in a new
-- V<n+1>__<name>.sql. Flyway runs this file in one transaction.
--
-- Conventions: surrogate keys are bigint identities; times are timestamptz defaulting to now();
-- free-form documents are jsonb objects; enumerations are text with a CHECK. Foreign keys
-- RESTRICT deletes of anything still referenced, except rows that only describe their parent
-- (events, files, progress), which go with it.

-- Keeps updated_at honest on every UPDATE, whoever writes the row.
CREATE FUNCTION amp_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- For append-only tables: history is written once.
CREATE FUNCTION amp_reject_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;

-- Workers register on start (upsert) and heartbeat every second.
CREATE TABLE workers (
  node_id       text        PRIMARY KEY,
  info          jsonb       NOT NULL DEFAULT '{}',
  registered_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workers_node_id_format CHECK (node_id ~ '^[A-Za-z][A-Za-z0-9_.-]*$'),
  CONSTRAINT workers_info_object CHECK (jsonb_typeof(info) = 'object')
);
-- The scheduler looks for workers with a fresh heartbeat.
CREATE INDEX workers_heartbeat_at_idx ON workers (heartbeat_at);

-- Data providers (RPC endpoints and the like), configured through the admin API.
CREATE TABLE providers (
  name       text        PRIMARY KEY,
  kind       text        NOT NULL,
  config     jsonb       NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT providers_name_not_empty CHECK (name <> ''),
  CONSTRAINT providers_kind_not_empty CHECK (kind <> ''),
  CONSTRAINT providers_config_object CHECK (jsonb_typeof(config) = 'object')
);
CREATE TRIGGER providers_touch_updated_at BEFORE UPDATE ON providers
  FOR EACH ROW EXECUTE FUNCTION amp_touch_updated_at();

-- Dataset manifests, content-addressed: the same content is stored once.
CREATE TABLE manifests (
  hash       text        PRIMARY KEY,
  kind       text        NOT NULL,
  content    jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT manifests_hash_not_empty CHECK (hash <> ''),
  CONSTRAINT manifests_kind_not_empty CHECK (kind <> '')
);

-- A dataset version names exactly one manifest; several versions may share one.
CREATE TABLE datasets (
  namespace     text        NOT NULL,
  name          text        NOT NULL,
  version       text        NOT NULL,
  manifest_hash text        NOT NULL REFERENCES manifests (hash) ON DELETE RESTRICT,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, name, version),
  CONSTRAINT datasets_namespace_not_empty CHECK (namespace <> ''),
  CONSTRAINT datasets_name_not_empty CHECK (name <> ''),
  CONSTRAINT datasets_version_not_empty CHECK (version <> '')
);
CREATE INDEX datasets_manifest_hash_idx ON datasets (manifest_hash);

-- Extraction jobs. node_id is NULL while the job waits for a live worker. Status changes are
-- compare-and-set (UPDATE ... WHERE status = ANY(...)), each with a job_events row.
CREATE TABLE jobs (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key   text        NOT NULL UNIQUE,
  node_id           text        REFERENCES workers (node_id) ON DELETE RESTRICT,
  dataset_namespace text        NOT NULL,
  dataset_name      text        NOT NULL,
  dataset_version   text        NOT NULL,
  descriptor        jsonb       NOT NULL DEFAULT '{}',
  status            text        NOT NULL DEFAULT 'SCHEDULED',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (dataset_namespace, dataset_name, dataset_version)
    REFERENCES datasets (namespace, name, version) ON DELETE RESTRICT,
  CONSTRAINT jobs_status_valid CHECK (status IN (
    'SCHEDULED', 'RUNNING', 'COMPLETED', 'STOP_REQUESTED', 'STOPPING', 'STOPPED', 'ERROR', 'FATAL')),
  CONSTRAINT jobs_idempotency_key_not_empty CHECK (idempotency_key <> ''),
  CONSTRAINT jobs_descriptor_object CHECK (jsonb_typeof(descriptor) = 'object')
);
-- A worker re-reads its jobs by status; the controller scans by status (retries, stale workers).
CREATE INDEX jobs_node_id_status_idx ON jobs (node_id, status);
CREATE INDEX jobs_status_idx ON jobs (status);
CREATE INDEX jobs_dataset_idx ON jobs (dataset_namespace, dataset_name, dataset_version);
CREATE TRIGGER jobs_touch_updated_at BEFORE UPDATE ON jobs
  FOR EACH ROW EXECUTE FUNCTION amp_touch_updated_at();

-- What happened to a job, append-only. node_id is the node that acted (no FK: history
-- outlives workers).
CREATE TABLE job_events (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id     bigint      NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  node_id    text,
  event_type text        NOT NULL,
  detail     jsonb       NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT job_events_event_type_not_empty CHECK (event_type <> '')
);
CREATE INDEX job_events_job_id_idx ON job_events (job_id, id);
CREATE TRIGGER job_events_append_only BEFORE UPDATE ON job_events
  FOR EACH ROW EXECUTE FUNCTION amp_reject_update();

-- A revision is one physical copy (a directory of Parquet files) of a dataset table. At most one
-- revision per dataset table is active: the one queries read.
CREATE TABLE table_revisions (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dataset_namespace text        NOT NULL,
  dataset_name      text        NOT NULL,
  dataset_version   text        NOT NULL,
  table_name        text        NOT NULL,
  path              text        NOT NULL UNIQUE,
  active            boolean     NOT NULL DEFAULT false,
  writer            bigint      REFERENCES jobs (id) ON DELETE SET NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (dataset_namespace, dataset_name, dataset_version)
    REFERENCES datasets (namespace, name, version) ON DELETE RESTRICT,
  CONSTRAINT table_revisions_table_name_not_empty CHECK (table_name <> ''),
  CONSTRAINT table_revisions_path_not_empty CHECK (path <> '')
);
CREATE INDEX table_revisions_dataset_table_idx
  ON table_revisions (dataset_namespace, dataset_name, dataset_version, table_name);
CREATE UNIQUE INDEX table_revisions_one_active_idx
  ON table_revisions (dataset_namespace, dataset_name, dataset_version, table_name)
  WHERE active;
CREATE INDEX table_revisions_writer_idx ON table_revisions (writer);

-- Parquet files of a revision. UNIQUE (revision_id, file_name) also serves lookups by revision.
CREATE TABLE files (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  revision_id bigint      NOT NULL REFERENCES table_revisions (id) ON DELETE CASCADE,
  file_name   text        NOT NULL,
  size_bytes  bigint      NOT NULL,
  row_count   bigint      NOT NULL,
  block_start bigint      NOT NULL,
  block_end   bigint      NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (revision_id, file_name),
  CONSTRAINT files_file_name_not_empty CHECK (file_name <> ''),
  CONSTRAINT files_size_bytes_non_negative CHECK (size_bytes >= 0),
  CONSTRAINT files_row_count_non_negative CHECK (row_count >= 0),
  CONSTRAINT files_block_range_valid CHECK (block_start >= 0 AND block_end >= block_start)
);

-- How far extraction into a revision has got; written in the same transaction as its files.
CREATE TABLE extraction_progress (
  revision_id bigint      PRIMARY KEY REFERENCES table_revisions (id) ON DELETE CASCADE,
  last_block  bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT extraction_progress_last_block_non_negative CHECK (last_block >= 0)
);
CREATE TRIGGER extraction_progress_touch_updated_at BEFORE UPDATE ON extraction_progress
  FOR EACH ROW EXECUTE FUNCTION amp_touch_updated_at();
