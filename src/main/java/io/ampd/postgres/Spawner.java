package io.ampd.postgres;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Starts child processes from one dedicated platform thread that lives as long as the JVM.
 *
 * <p>Why: PostgreSQL is started under {@code setpriv --pdeathsig}, and Linux delivers the
 * parent-death signal when the <em>thread</em> that forked the child exits, not the process. A
 * child forked from a pool or request thread would be signalled when that thread ends, long
 * before the JVM does. So every spawn is handed to this thread, which never exits: the signal
 * then fires exactly when the JVM dies, SIGKILL included. The thread is a daemon so it never
 * holds the JVM up; it only forks, the callers wait for their processes themselves.
 */
final class Spawner {
  private static final BlockingQueue<Request> QUEUE = new LinkedBlockingQueue<>();

  static {
    Thread thread = new Thread(Spawner::run, "ampd-spawner");
    thread.setDaemon(true);
    thread.start();
  }

  private record Request(ProcessBuilder builder, CompletableFuture<Process> result) {}

  private Spawner() {}

  /** Starts {@code builder}'s process on the spawner thread. */
  static Process start(ProcessBuilder builder) throws IOException {
    Request request = new Request(builder, new CompletableFuture<>());
    QUEUE.add(request);
    try {
      return request.result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      request.result.thenAccept(Process::destroyForcibly);
      throw new IOException("interrupted while starting " + builder.command().get(0), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  private static void run() {
    while (true) {
      Request request;
      try {
        request = QUEUE.take();
      } catch (InterruptedException e) {
        continue;
      }
      try {
        request.result.complete(request.builder.start());
      } catch (Throwable t) {
        request.result.completeExceptionally(t);
      }
    }
  }
}
