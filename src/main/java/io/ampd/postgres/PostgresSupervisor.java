package io.ampd.postgres;

import io.ampd.AmpdException;
import io.ampd.config.PgUrl;

/**
 * Runs a private PostgreSQL cluster for {@code ampd solo}: DESIGN.md "Managed PostgreSQL".
 *
 * <p>STUB: signatures agreed; implementation pending.
 */
public final class PostgresSupervisor implements AutoCloseable {

  /** Lifecycle states, reported by {@code /healthz}. */
  public enum State {
    STARTING,
    READY,
    RESTARTING,
    STOPPING,
    STOPPED,
    FAILED
  }

  /** Told about state changes; {@code onFatal} when PostgreSQL keeps dying (ampd exits 1). */
  public interface Listener {
    default void onStateChange(State state) {}

    default void onFatal(AmpdException error) {}
  }

  /**
   * Finds binaries, clears an orphan, runs initdb if needed, starts postgres and waits until
   * it is ready. The database {@code amp} exists when this returns.
   */
  public static PostgresSupervisor start(PostgresSettings settings, Listener listener) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The superuser URL of database {@code amp} over the socket. */
  public PgUrl url() {
    throw new UnsupportedOperationException();
  }

  /** The postmaster's pid. */
  public long pid() {
    throw new UnsupportedOperationException();
  }

  public State state() {
    throw new UnsupportedOperationException();
  }

  /** Fast shutdown; escalates after the stop timeout. Idempotent. */
  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
