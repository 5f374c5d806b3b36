package io.ampd.metadb;

/**
 * A physical copy of a dataset table: a directory of Parquet files.
 *
 * @param id its {@code table_revisions} id
 * @param table the table name
 * @param path its directory, relative to {@code data_dir}
 * @param active whether queries read this revision
 * @param schemaVersion the version of the Parquet schema of its files ({@code table_revisions
 *     .schema_version}, see docs/design.md)
 */
public record TableRevision(
    long id, String table, String path, boolean active, int schemaVersion) {}
