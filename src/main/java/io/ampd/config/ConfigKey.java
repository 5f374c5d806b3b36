package io.ampd.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry of every configuration key, in the manner of pgjdbc's {@code PGProperty}: dotted
 * name, type (with its checks), default, solo default where it differs, and a one-line doc. The
 * TOML tables ({@code [metadata_db]}, {@code [metadata_db.managed]}) follow from the dotted names.
 *
 * <p>To add a key: declare a constant here, add the component to its record, map it in {@link
 * ConfigLoader}, and document it in {@code .amp.example/config.toml} (a test checks that every key
 * is documented there).
 *
 * @param <T> the Java type of the value
 */
public final class ConfigKey<T> {
  /** Every {@code AMP_CONFIG_*} variable names a key: {@code AMP_CONFIG_METADATA_DB__URL}. */
  public static final String ENV_PREFIX = "AMP_CONFIG_";

  private static final List<ConfigKey<?>> ALL = new ArrayList<>();
  private static final Map<String, ConfigKey<?>> BY_NAME = new LinkedHashMap<>();

  private static final List<String> SOLO_OWNED_SETTINGS =
      List.of(
          "listen_addresses",
          "port",
          "unix_socket_directories",
          "unix_socket_permissions",
          "data_directory");

  public static final ConfigKey<Path> DATA_DIR =
      define(
          "data_dir",
          ValueTypes.PATH,
          text("data"),
          null,
          "Where extracted data (Parquet files) is written.");
  public static final ConfigKey<Path> PROVIDERS_DIR =
      define(
          "providers_dir",
          ValueTypes.PATH,
          text("providers"),
          null,
          "Where provider definitions are stored.");
  public static final ConfigKey<Path> MANIFESTS_DIR =
      define(
          "manifests_dir",
          ValueTypes.PATH,
          text("manifests"),
          null,
          "Where dataset manifests are stored.");
  public static final ConfigKey<HostPort> ADMIN_API_ADDR =
      define(
          "admin_api_addr",
          ValueTypes.ADDRESS,
          text("127.0.0.1:1610"),
          null,
          "Listen address of the controller's admin HTTP API.");
  public static final ConfigKey<HostPort> FLIGHT_ADDR =
      define(
          "flight_addr",
          ValueTypes.ADDRESS,
          text("127.0.0.1:1602"),
          null,
          "Listen address of the server's Arrow Flight SQL endpoint (gRPC).");
  public static final ConfigKey<HostPort> JSONL_ADDR =
      define(
          "jsonl_addr",
          ValueTypes.ADDRESS,
          text("127.0.0.1:1603"),
          null,
          "Listen address of the server's JSON Lines SQL endpoint.");

  public static final ConfigKey<PgUrl> METADATA_DB_URL =
      define(
          "metadata_db.url",
          ValueTypes.PG_URL,
          null,
          null,
          "libpq URI of the metadata database; required except in solo, where unset means a"
              + " managed PostgreSQL.");
  public static final ConfigKey<Integer> METADATA_DB_POOL_SIZE =
      define(
          "metadata_db.pool_size",
          ValueTypes.integer(1, 1000),
          IntNode.valueOf(10),
          null,
          "Maximum connections in the pool (HikariCP maximumPoolSize), 1 to 1000.");
  public static final ConfigKey<Boolean> METADATA_DB_AUTO_MIGRATE =
      define(
          "metadata_db.auto_migrate",
          ValueTypes.BOOLEAN,
          BooleanNode.FALSE,
          BooleanNode.TRUE,
          "Apply pending schema migrations at start; false: refuse to start on an old schema.");

  public static final ConfigKey<Integer> METADATA_DB_NETWORK_TIMEOUT_SECS =
      define(
          "metadata_db.network_timeout_secs",
          ValueTypes.integer(1, 3600),
          IntNode.valueOf(30),
          null,
          "Seconds a session waits for the metadata database to answer before it gives the"
              + " connection up, so that a server that stopped answering or a network that drops"
              + " packets cannot hold a thread for ever; 1 to 3600. A worker's own sessions"
              + " wait at most half of controller.worker_timeout_secs; migrations without"
              + " limit.");

  public static final ConfigKey<Integer> CONTROLLER_WORKER_TIMEOUT_SECS =
      define(
          "controller.worker_timeout_secs",
          ValueTypes.integer(2, 3600),
          IntNode.valueOf(10),
          null,
          "Seconds without a heartbeat after which a worker counts as dead and its jobs are"
              + " rescheduled onto a live one, 2 to 3600.");
  public static final ConfigKey<Integer> CONTROLLER_RETRY_INITIAL_BACKOFF_MS =
      define(
          "controller.retry_initial_backoff_ms",
          ValueTypes.integer(10, 3_600_000),
          IntNode.valueOf(1000),
          null,
          "Wait before the first retry of a job that ended in ERROR; doubles on each retry.");
  public static final ConfigKey<Integer> CONTROLLER_RETRY_MAX_BACKOFF_SECS =
      define(
          "controller.retry_max_backoff_secs",
          ValueTypes.integer(1, 86_400),
          IntNode.valueOf(300),
          null,
          "Longest wait between retries of a job in ERROR, 1 to 86400 seconds.");

  public static final ConfigKey<Integer> WORKER_HEARTBEAT_INTERVAL_MS =
      define(
          "worker.heartbeat_interval_ms",
          ValueTypes.integer(100, 60_000),
          IntNode.valueOf(1000),
          null,
          "How often a worker records that it is alive, 100 to 60000 ms.");
  public static final ConfigKey<Integer> WORKER_RECONCILE_INTERVAL_MS =
      define(
          "worker.reconcile_interval_ms",
          ValueTypes.integer(100, 600_000),
          IntNode.valueOf(5000),
          null,
          "How often a worker re-reads its jobs, in case it missed a notification.");
  public static final ConfigKey<Integer> WORKER_SEGMENT_BLOCKS =
      define(
          "worker.segment_blocks",
          ValueTypes.integer(1, 10_000_000),
          IntNode.valueOf(10_000),
          null,
          "Blocks per Parquet file (one file per table per segment), 1 to 10000000.");
  public static final ConfigKey<Integer> WORKER_PROGRESS_LOG_INTERVAL_SECS =
      define(
          "worker.progress_log_interval_secs",
          ValueTypes.integer(1, 86_400),
          IntNode.valueOf((int) WorkerConfig.DEFAULT_PROGRESS_LOG_INTERVAL.toSeconds()),
          null,
          "How often each running job logs its progress (blocks done of the total, blocks/s,"
              + " ETA), 1 to 86400 seconds.");

  public static final ConfigKey<Integer> SERVER_QUERY_TIMEOUT_SECS =
      define(
          "server.query_timeout_secs",
          ValueTypes.integer(1, 86_400),
          IntNode.valueOf(300),
          null,
          "Seconds a query may run (until its last row is sent) before it is cancelled, 1 to"
              + " 86400.");
  public static final ConfigKey<Integer> SERVER_MAX_MEM_MB =
      define(
          "server.max_mem_mb",
          ValueTypes.integer(0, 16_777_216),
          IntNode.valueOf(0),
          null,
          "Memory the query engine may use for all queries together, in MiB; beyond it a query"
              + " spills to spill_dir or fails. 0: a quarter of the machine's memory.");
  public static final ConfigKey<Integer> SERVER_QUERY_MAX_MEM_MB =
      define(
          "server.query_max_mem_mb",
          ValueTypes.integer(0, 16_777_216),
          IntNode.valueOf(0),
          null,
          "Memory one query may use for its sorts, joins and aggregates, in MiB. 0: max_mem_mb.");
  public static final ConfigKey<Integer> SERVER_THREADS =
      define(
          "server.threads",
          ValueTypes.integer(0, 1024),
          IntNode.valueOf(0),
          null,
          "Threads the query engine runs on, 0 to 1024. 0: one per processor.");
  public static final ConfigKey<Integer> SERVER_MAX_CONCURRENT_QUERIES =
      define(
          "server.max_concurrent_queries",
          ValueTypes.integer(1, 1024),
          IntNode.valueOf(8),
          null,
          "Queries that may run at once, 1 to 1024; one more is refused at once (JSON Lines:"
              + " 503, Flight: RESOURCE_EXHAUSTED).");
  public static final ConfigKey<Path> SERVER_SPILL_DIR =
      define(
          "server.spill_dir",
          ValueTypes.PATH,
          text("query-spill"),
          null,
          "Where a query that needs more memory than it may use writes its temporary files.");

  public static final ConfigKey<String> MANAGED_BIN_DIR =
      define(
          "metadata_db.managed.bin_dir",
          ValueTypes.BIN_DIR,
          null,
          null,
          "Directory with initdb and postgres, or \"bundled\"; unset: search PATH, well-known"
              + " install dirs, then the bundled binaries.");
  public static final ConfigKey<String> MANAGED_OS_USER =
      define(
          "metadata_db.managed.os_user",
          ValueTypes.STRING,
          null,
          null,
          "OS user that runs PostgreSQL when ampd runs as root; unset: \"postgres\" where it"
              + " exists.");
  public static final ConfigKey<Integer> MANAGED_START_TIMEOUT_SECS =
      define(
          "metadata_db.managed.start_timeout_secs",
          ValueTypes.integer(1, 3600),
          IntNode.valueOf(60),
          null,
          "Seconds to wait for the managed PostgreSQL to accept connections, 1 to 3600.");
  public static final ConfigKey<Integer> MANAGED_STOP_TIMEOUT_SECS =
      define(
          "metadata_db.managed.stop_timeout_secs",
          ValueTypes.integer(1, 600),
          IntNode.valueOf(10),
          null,
          "Seconds a fast shutdown may take before it is escalated, 1 to 600.");
  public static final ConfigKey<Map<String, String>> MANAGED_SERVER_SETTINGS =
      define(
          "metadata_db.managed.server_settings",
          new ScalarTableType(
              SOLO_OWNED_SETTINGS,
              "solo owns "
                  + String.join(", ", SOLO_OWNED_SETTINGS.subList(0, 4))
                  + " and "
                  + SOLO_OWNED_SETTINGS.get(4)),
          JsonNodeFactory.instance.objectNode(),
          null,
          "Extra postgresql.conf settings for the managed PostgreSQL (name = value).");

  private final String name;
  private final ValueType<T> type;
  private final JsonNode defaultValue;
  private final JsonNode soloDefault;
  private final String doc;

  private ConfigKey(
      String name, ValueType<T> type, JsonNode defaultValue, JsonNode soloDefault, String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.soloDefault = soloDefault;
    this.doc = doc;
  }

  private static <T> ConfigKey<T> define(
      String name, ValueType<T> type, JsonNode defaultValue, JsonNode soloDefault, String doc) {
    ConfigKey<T> key = new ConfigKey<>(name, type, defaultValue, soloDefault, doc);
    ALL.add(key);
    BY_NAME.put(name, key);
    return key;
  }

  private static JsonNode text(String s) {
    return TextNode.valueOf(s);
  }

  /** Every key, in declaration order. */
  public static List<ConfigKey<?>> all() {
    return Collections.unmodifiableList(ALL);
  }

  /** The key with this dotted name. */
  public static Optional<ConfigKey<?>> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Whether the dotted name is a table holding keys ({@code metadata_db}). */
  static boolean isTable(String name) {
    return !name.isEmpty() && !BY_NAME.containsKey(name) && !children(name).isEmpty();
  }

  /** The names directly inside a table ({@code ""} for the top level), in declaration order. */
  static Set<String> children(String table) {
    String prefix = table.isEmpty() ? "" : table + ".";
    Set<String> out = new LinkedHashSet<>();
    for (ConfigKey<?> key : ALL) {
      if (key.name.startsWith(prefix)) {
        String rest = key.name.substring(prefix.length());
        int dot = rest.indexOf('.');
        out.add(dot < 0 ? rest : rest.substring(0, dot));
      }
    }
    return out;
  }

  /** The dotted name, {@code metadata_db.pool_size}. */
  public String name() {
    return name;
  }

  /** The environment variable that overrides it: {@code AMP_CONFIG_METADATA_DB__POOL_SIZE}. */
  public String envVar() {
    return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace(".", "__");
  }

  /** One-line documentation. */
  public String doc() {
    return doc;
  }

  /** What a value must look like. */
  public String expected() {
    return type.expected();
  }

  /** The default as TOML text ({@code "data"}, {@code 10}, {@code {}}); empty: unset. */
  public Optional<String> defaultToml(boolean solo) {
    return defaultNode(solo).map(n -> n.isObject() ? "{}" : n.toString());
  }

  ValueType<T> type() {
    return type;
  }

  Optional<JsonNode> defaultNode(boolean solo) {
    return Optional.ofNullable(solo && soloDefault != null ? soloDefault : defaultValue);
  }

  @Override
  public String toString() {
    return name;
  }
}
