package io.ampd.cli;

import io.ampd.HostEnvironment;
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

  /** The flags on a command's spec; {@link #resolve} reads them after parsing. */
  static final class Options {
    private final OptionSpec admin;
    private final OptionSpec flight;
    private final OptionSpec jsonl;

    private Options(OptionSpec admin, OptionSpec flight, OptionSpec jsonl) {
      this.admin = admin;
      this.flight = flight;
      this.jsonl = jsonl;
    }

    /** Adds the flags to {@code spec}; {@code --admin-server} only when {@code withAdmin}. */
    static Options addTo(CommandSpec spec, boolean withAdmin) {
      OptionSpec admin = null;
      if (withAdmin) {
        admin = flag("--admin-server", "the admin API (admin_api_addr)", "AMP_ADMIN_SERVER");
        spec.addOption(admin);
      }
      OptionSpec flight =
          flag(
              "--flight-server",
              "the Arrow Flight SQL endpoint (flight_addr)",
              "AMP_FLIGHT_SERVER");
      OptionSpec jsonl =
          flag("--jsonl-server", "the JSON Lines endpoint (jsonl_addr)", "AMP_JSONL_SERVER");
      spec.addOption(flight).addOption(jsonl);
      return new Options(admin, flight, jsonl);
    }

    private static OptionSpec flag(String name, String what, String env) {
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

    /** The chosen endpoints: flags, else environment, else all of this command's. */
    Endpoints resolve(HostEnvironment env) {
      boolean a = admin != null && (set(admin) || env(env, "AMP_ADMIN_SERVER"));
      boolean f = set(flight) || env(env, "AMP_FLIGHT_SERVER");
      boolean j = set(jsonl) || env(env, "AMP_JSONL_SERVER");
      if (!a && !f && !j) {
        return new Endpoints(admin != null, true, true);
      }
      return new Endpoints(a, f, j);
    }

    private static boolean set(OptionSpec option) {
      Boolean value = option.getValue();
      return value != null && value;
    }

    private static boolean env(HostEnvironment env, String name) {
      return env.get(name).map(v -> v.equals("true") || v.equals("1")).orElse(false);
    }
  }
}
