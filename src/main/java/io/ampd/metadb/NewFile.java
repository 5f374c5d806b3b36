package io.ampd.metadb;

/** A Parquet file to record: already renamed to its final name in its revision's directory. */
public record NewFile(
    long revisionId,
    String fileName,
    long sizeBytes,
    long rowCount,
    long blockStart,
    long blockEnd) {}
