package io.ampd.metadb;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of {@code workers}, with its liveness as the database clock sees it.
 *
 * @param nodeId the node id
 * @param info what the worker said about itself ({@code version}, {@code host}, {@code pid})
 * @param registeredAt its last registration
 * @param heartbeatAt its last heartbeat
 * @param stoppedAt when it last stopped cleanly; empty while it runs (or after a crash)
 * @param live heartbeat fresher than the timeout asked for, and not stopped
 */
public record WorkerNode(
    String nodeId,
    JsonNode info,
    Instant registeredAt,
    Instant heartbeatAt,
    Optional<Instant> stoppedAt,
    boolean live) {}
