package io.ampd.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Which listening endpoints a {@code solo} or {@code server} runs: {@code --admin-server} (solo
 * only), {@code --flight-server}, {@code --jsonl-server}, or their environment variables {@code
 * AMP_ADMIN_SERVER}, {@code AMP_FLIGHT_SERVER}, {@code AMP_JSONL_SERVER} set to {@code true} or
 * {@code 1}. When none is chosen, all of the command's endpoints run.
 *
 * @param admin the controller's admin API
 * @param flight the server's Arrow Flight SQL endpoint
 * @param jsonl the server's JSON Lines endpoint
 */
public record Endpoints(boolean admin, boolean flight, boolean jsonl) {
  /** Every endpoint of {@code solo}. */
  public static final Endpoints ALL = new Endpoints(true, true, true);

  /** Whether the query server runs (either of its endpoints). */
  public boolean server() {
    return flight || jsonl;
  }

  /** The endpoints by name, for the log. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    if (admin) {
      out.add("admin API");
    }
    if (flight) {
      out.add("Arrow Flight SQL");
    }
    if (jsonl) {
      out.add("JSON Lines");
    }
    return out;
  }

  /**
   * {@code --flight-server} and {@code --jsonl-server}, a mixin of {@code solo} and {@code server};
   * {@link #resolve} reads them after parsing.
   */
  static final class QueryFlags {
    private final OptionSpec flight =
        flag("--flight-server", "the Arrow Flight SQL endpoint (flight_addr)", "AMP_FLIGHT_SERVER");
    private final OptionSpec jsonl =
        flag("--jsonl-server", "the JSON Lines endpoint (jsonl_addr)", "AMP_JSONL_SERVER");

    /** The mixin to add to a command ({@link CommandSpec#addMixin}). */
    CommandSpec mixin() {
      return CommandSpec.create().addOption(flight).addOption(jsonl);
    }

    /** A flag that runs endpoint {@code what}, also chosen by {@code env}. */
    static OptionSpec flag(String name, String what, String env) {
      return OptionSpec.builder(name)
          .type(boolean.class)
          .description(
              "Run "
                  + what
                  + ". Also "
                  + env
                  + "=true. When no endpoint is chosen, all of them run.")
          .build();
    }

    /** Whether {@code flag} was given. */
    static boolean given(OptionSpec flag) {
      Boolean value = flag.getValue();
      return value != null && value;
    }

    /** The chosen endpoints of {@code server}: flags, else environment, else both. */
    Endpoints resolve(HostEnvironment env) {
      return resolve(env, false, false);
    }

    /**
     * The chosen endpoints of {@code solo}, whose {@code --admin-server} is {@code admin}: flags,
     * else environment, else all three.
     */
    Endpoints resolve(HostEnvironment env, boolean admin) {
      return resolve(env, true, admin);
    }

    private Endpoints resolve(HostEnvironment env, boolean withAdmin, boolean adminFlag) {
      boolean a = withAdmin && (adminFlag || env(env, "AMP_ADMIN_SERVER"));
      boolean f = given(flight) || env(env, "AMP_FLIGHT_SERVER");
      boolean j = given(jsonl) || env(env, "AMP_JSONL_SERVER");
      if (!a && !f && !j) {
        return new Endpoints(withAdmin, true, true);
      }
      return new Endpoints(a, f, j);
    }

    private static boolean env(HostEnvironment env, String name) {
      return env.get(name).map(v -> v.equals("true") || v.equals("1")).orElse(false);
    }
  }
}
