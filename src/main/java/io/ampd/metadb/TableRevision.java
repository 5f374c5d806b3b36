package io.ampd.metadb;

/**
 * A physical copy of a dataset table: a directory of Parquet files.
 *
 * @param id its {@code table_revisions} id
 * @param table the table name
 * @param path its directory, relative to {@code data_dir}
 * @param active whether queries read this revision
 */
public record TableRevision(long id, String table, String path, boolean active) {}
