package io.ampd.controller.http;

/** A group of routes (one per aggregate: providers, datasets, jobs, workers) added to a router. */
public interface Routes {
  void register(Router router);
}
