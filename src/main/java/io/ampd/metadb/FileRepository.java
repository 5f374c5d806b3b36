package io.ampd.metadb;

import java.util.List;
import javax.sql.DataSource;

/**
 * The SQL of {@code table_revisions}, {@code files} and {@code extraction_progress}: a segment's
 * files and the progress they make are written in one transaction.
 *
 * <p>STUB: the method others use is agreed; implementation pending (extraction helper).
 */
public final class FileRepository {
  private final DataSource dataSource;

  public FileRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Per-table progress of the revisions job {@code jobId} writes. */
  public List<TableProgress> progressOfJob(long jobId) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
