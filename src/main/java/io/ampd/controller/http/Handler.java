package io.ampd.controller.http;

/** Answers one route. Throw {@link ApiException} for a 4xx. */
@FunctionalInterface
public interface Handler {
  Response handle(Request request) throws Exception;
}
