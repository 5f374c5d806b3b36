package io.ampd.controller.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Matches {@code METHOD /path} against patterns such as {@code /datasets/{ns}/{name}}: a segment in
 * braces matches any one non-empty segment and is passed to the handler by name. Registration
 * happens before the server starts; matching is read-only after that.
 */
public final class Router {
  private record Route(String method, String pattern, List<String> segments, Handler handler) {}

  /** The outcome of a lookup: a handler with its parameters, or the methods the path allows. */
  public record Match(Handler handler, Map<String, String> params, Set<String> allowed) {
    public boolean found() {
      return handler != null;
    }
  }

  private final List<Route> routes = new ArrayList<>();

  public Router get(String pattern, Handler handler) {
    return add("GET", pattern, handler);
  }

  public Router post(String pattern, Handler handler) {
    return add("POST", pattern, handler);
  }

  public Router put(String pattern, Handler handler) {
    return add("PUT", pattern, handler);
  }

  public Router delete(String pattern, Handler handler) {
    return add("DELETE", pattern, handler);
  }

  public Router add(Routes group) {
    group.register(this);
    return this;
  }

  private Router add(String method, String pattern, Handler handler) {
    routes.add(new Route(method, pattern, split(pattern), handler));
    return this;
  }

  /** Every registered {@code METHOD pattern}, for the API description. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    for (Route r : routes) {
      out.add(r.method() + " " + r.pattern());
    }
    return out;
  }

  public Match match(String method, String path) {
    List<String> segments = split(path);
    Set<String> allowed = new LinkedHashSet<>();
    for (Route route : routes) {
      Optional<Map<String, String>> params = bind(route.segments(), segments);
      if (params.isEmpty()) {
        continue;
      }
      if (route.method().equals(method)
          || (method.equals("HEAD") && route.method().equals("GET"))) {
        return new Match(route.handler(), params.get(), Set.of());
      }
      allowed.add(route.method());
    }
    return new Match(null, Map.of(), allowed);
  }

  private static Optional<Map<String, String>> bind(List<String> pattern, List<String> path) {
    if (pattern.size() != path.size()) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < pattern.size(); i++) {
      String p = pattern.get(i);
      String s = path.get(i);
      if (p.startsWith("{") && p.endsWith("}")) {
        if (s.isEmpty()) {
          return Optional.empty();
        }
        params.put(p.substring(1, p.length() - 1), s);
      } else if (!p.equals(s)) {
        return Optional.empty();
      }
    }
    return Optional.of(params);
  }

  private static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/", -1)) {
      out.add(java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8));
    }
    if (!out.isEmpty() && out.get(0).isEmpty()) {
      out.remove(0);
    }
    if (out.size() > 1 && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1); // a trailing slash names the same resource
    }
    return out;
  }
}
