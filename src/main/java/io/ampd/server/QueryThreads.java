package io.ampd.server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that run queries and stream their results: made when needed (admission bounds how many
 * run), with a large stack (DuckDB parses and plans on the calling thread, recursively), ended
 * after a minute idle.
 */
final class QueryThreads {
  private QueryThreads() {}

  static ExecutorService create(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        r -> {
          Thread t =
              new Thread(
                  null,
                  r,
                  prefix + "-" + count.incrementAndGet(),
                  QueryService.QUERY_THREAD_STACK_BYTES);
          t.setDaemon(true);
          return t;
        });
  }
}
