package io.ampd.extract;

import io.ampd.registry.DatasetRef;
import java.util.Locale;

/**
 * Where files go under {@code data_dir}: {@code <namespace>/<name>/<table>/<version>/job-<job
 * id>/<first>-<last>.parquet}. The {@code <version>/job-<id>} directory is one table revision (a
 * job writes its own; a job resumed on another worker writes the same one). Block numbers are
 * zero-padded to 19 digits, the width of the largest long, so that file names sort in block order
 * for any chain. Files are written as {@code .<final name>.tmp} in the same directory and renamed.
 */
final class Layout {
  static final String SUFFIX = ".parquet";
  static final String TEMP_PREFIX = ".";
  static final String TEMP_SUFFIX = ".tmp";

  private Layout() {}

  /** The revision directory, relative to {@code data_dir}, with '/' separators. */
  static String revisionPath(DatasetRef dataset, String table, long jobId) {
    return dataset.namespace()
        + "/"
        + dataset.name()
        + "/"
        + table
        + "/"
        + dataset.version()
        + "/job-"
        + jobId;
  }

  static String fileName(long first, long last) {
    return String.format(Locale.ROOT, "%019d-%019d%s", first, last, SUFFIX);
  }

  static String tempName(String fileName) {
    return TEMP_PREFIX + fileName + TEMP_SUFFIX;
  }
}
