package io.ampd.metadb;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of {@code job_events}: what happened to a job, who did it, and the detail.
 *
 * @param id increasing with time within a job
 * @param jobId the job
 * @param nodeId the node that acted; empty for the controller
 * @param type e.g. {@code scheduled}, {@code started}, {@code error}, {@code rescheduled}
 * @param detail a JSON object (the status moved to, errors, nodes involved)
 * @param createdAt when
 */
public record JobEvent(
    long id,
    long jobId,
    Optional<String> nodeId,
    String type,
    JsonNode detail,
    Instant createdAt) {}
