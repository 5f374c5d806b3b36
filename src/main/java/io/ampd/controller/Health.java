package io.ampd.controller;

import java.util.Map;

/**
 * The answer of {@code GET /healthz}: 200 when {@code ok}, else 503; the body is JSON.
 *
 * @param ok whether this process is ready to serve
 * @param body the JSON object to return (metadata database state, schema version, …)
 */
public record Health(boolean ok, Map<String, Object> body) {}
