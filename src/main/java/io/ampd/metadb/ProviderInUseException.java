package io.ampd.metadb;

import io.ampd.core.AmpdException;
import java.util.List;

/** A provider cannot be deleted: jobs that have not finished use it. */
public final class ProviderInUseException extends AmpdException {
  private static final long serialVersionUID = 1L;

  private final List<Long> jobIds;

  ProviderInUseException(String name, List<Long> jobIds) {
    super(
        "provider '"
            + name
            + "' is used by unfinished job"
            + (jobIds.size() == 1 ? " " : "s ")
            + join(jobIds),
        "stop those jobs (PUT /jobs/{id}/stop) and wait until they have stopped");
    this.jobIds = List.copyOf(jobIds);
  }

  /** The unfinished jobs, by id. */
  public List<Long> jobIds() {
    return jobIds;
  }

  private static String join(List<Long> ids) {
    StringBuilder sb = new StringBuilder();
    for (Long id : ids) {
      sb.append(sb.length() == 0 ? "" : ", ").append(id);
    }
    return sb.toString();
  }
}
