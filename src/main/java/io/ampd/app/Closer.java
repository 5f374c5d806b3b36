package io.ampd.app;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what a role started, in reverse order, each step in its own try so one failure does not
 * leave the rest running. Idempotent.
 */
public final class Closer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Closer.class);

  private record Step(String name, AutoCloseable resource) {}

  private final Deque<Step> steps = new ArrayDeque<>();

  /** Registers {@code resource} to be closed before everything registered earlier. */
  public synchronized <T extends AutoCloseable> T add(String name, T resource) {
    steps.push(new Step(name, resource));
    return resource;
  }

  @Override
  public void close() {
    while (true) {
      Step step;
      synchronized (this) {
        step = steps.poll();
      }
      if (step == null) {
        return;
      }
      long start = System.nanoTime();
      try {
        step.resource().close();
        log.debug("stopped {} in {} ms", step.name(), (System.nanoTime() - start) / 1_000_000);
      } catch (Exception e) {
        log.warn("stopping {} failed: {}", step.name(), e.toString());
      }
    }
  }
}
