package io.ampd.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * A libpq connection URI ({@code postgresql://[user[:password]@][host][:port][/db][?params]}),
 * parsed once and turned into pgjdbc settings. {@link #toString()} is the redacted form: the
 * password never leaves this class except through {@link #jdbcProperties()}.
 *
 * <p>Follows libpq: both {@code postgresql://} and {@code postgres://}; every part percent-decoded;
 * IPv6 hosts in brackets; a comma list of hosts ({@code h1:5432,h2:5433}); query parameters {@code
 * host}, {@code port}, {@code dbname}, {@code user}, {@code password} override the parts before the
 * {@code ?}; {@code sslmode}, {@code connect_timeout} and {@code application_name} are supported;
 * any other parameter is an error, as in libpq.
 *
 * <p>Defaults, as libpq: the user is the OS user, the database is named after the user, the port is
 * 5432. A host that is an absolute path ({@code ?host=/var/run/postgresql}, or {@code %2F...} in
 * the host part) is the directory of a Unix socket {@code <dir>/.s.PGSQL.<port>}, reached through
 * junixsocket. With no host at all, the socket directory is {@code /var/run/postgresql} when that
 * directory exists, else {@code /tmp} (see {@link #defaultSocketDir()}). {@code sslmode} does not
 * apply to Unix sockets (libpq ignores it too).
 */
public final class PgUrl {
  /** Default port when the URI gives none. */
  public static final int DEFAULT_PORT = 5432;

  /** The shape of a URI, for hints. */
  public static final String FORMAT =
      "postgresql://[user[:password]@][host][:port][/db][?param=value&...]";

  /** The {@code sslmode} values libpq and pgjdbc both accept. */
  public static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  /** Every supported query parameter. */
  public static final List<String> PARAMETERS =
      List.of(
          "host",
          "port",
          "dbname",
          "user",
          "password",
          "sslmode",
          "connect_timeout",
          "application_name");

  /** The junixsocket factory pgjdbc instantiates with the socket path as its argument. */
  static final String SOCKET_FACTORY = "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg";

  private static final String HINT = "expected " + FORMAT;
  private static final String PARAM_HINT = "supported parameters: " + String.join(", ", PARAMETERS);
  private static final List<String> PREFIXES = List.of("postgresql://", "postgres://");
  private static final Path RUN_DIR = Path.of("/var/run/postgresql");
  private static final Path TMP_DIR = Path.of("/tmp");

  private enum Password {
    KEEP,
    MASK,
    OMIT
  }

  private record RawParam(String rawKey, String rawValue, String key) {}

  // The URI as written, kept to render it back with its own spelling.
  private final String scheme;
  private final String rawUser; // null: no userinfo
  private final String rawPassword; // null: no ':' in the userinfo
  private final String rawHosts;
  private final String rawPath; // null: no '/'
  private final List<RawParam> rawParams;
  private final String osUser;
  private final Path defaultSocketDir;

  // What it means.
  private final String user;
  private final String password; // null: none
  private final List<HostPort> hosts; // empty for a Unix socket
  private final Path socketDir; // null for TCP
  private final int port;
  private final String database;
  private final String sslMode; // null: pgjdbc's default (prefer, as libpq)
  private final Integer connectTimeout; // null: pgjdbc's default
  private final String applicationName; // null: none
  // Set by withDefaultApplicationName: sent to the server, but not part of the URI as shown.
  private final String defaultApplicationName; // null: none

  /**
   * Parses a libpq URI with libpq's defaults: the OS user from {@code user.name}, the socket
   * directory from {@link #defaultSocketDir()}. Errors name the (redacted) value and the rule.
   */
  public static PgUrl parse(String uri) {
    return parse(uri, System.getProperty("user.name"), defaultSocketDir());
  }

  /**
   * Parses a libpq URI.
   *
   * @param osUser the user (and database) when the URI names none
   * @param defaultSocketDir the socket directory when the URI names no host
   */
  public static PgUrl parse(String uri, String osUser, Path defaultSocketDir) {
    Objects.requireNonNull(osUser, "osUser");
    Objects.requireNonNull(defaultSocketDir, "defaultSocketDir");
    if (uri == null) {
      throw new ConfigException("PostgreSQL URL is missing", HINT);
    }
    return new Parser(uri, osUser, defaultSocketDir).parse();
  }

  /** A URL for a PostgreSQL reached over the Unix socket {@code socketDir/.s.PGSQL.port}. */
  public static PgUrl unixSocket(Path socketDir, int port, String database, String user) {
    if (!socketDir.isAbsolute()) {
      throw new IllegalArgumentException("socket directory must be absolute: " + socketDir);
    }
    String uri =
        "postgresql://"
            + Percent.encode(user, "")
            + "@/"
            + Percent.encode(database, "")
            + "?host="
            + Percent.encode(socketDir.toString(), "/")
            + "&port="
            + port;
    return parse(uri, user, socketDir);
  }

  /**
   * Where libpq looks for the socket when a URI names no host: {@code /var/run/postgresql} when
   * that directory exists (Debian, Ubuntu and their containers), else {@code /tmp} (the PostgreSQL
   * default).
   */
  public static Path defaultSocketDir() {
    return defaultSocketDir(Files::isDirectory);
  }

  /** {@link #defaultSocketDir()} with {@code isDirectory} telling which directories exist. */
  static Path defaultSocketDir(Predicate<Path> isDirectory) {
    return isDirectory.test(RUN_DIR) ? RUN_DIR : TMP_DIR;
  }

  /**
   * Masks the passwords of a URI that may not parse: {@code postgresql://u:***@host/db}. For
   * messages about values that are meant to be URLs.
   */
  public static String redact(String uri) {
    return uri == null ? "" : UriRedaction.of(uri).text();
  }

  private PgUrl(Parser p) {
    this.scheme = p.scheme;
    this.rawUser = p.rawUser;
    this.rawPassword = p.rawPassword;
    this.rawHosts = p.rawHosts;
    this.rawPath = p.rawPath;
    this.rawParams = List.copyOf(p.rawParams);
    this.osUser = p.osUser;
    this.defaultSocketDir = p.defaultSocketDir;
    this.user = p.user;
    this.password = p.password;
    this.hosts = List.copyOf(p.hostPorts);
    this.socketDir = p.socketDir;
    this.port = p.port;
    this.database = p.database;
    this.sslMode = p.sslMode;
    this.connectTimeout = p.connectTimeout;
    this.applicationName = p.applicationName;
    this.defaultApplicationName = null;
  }

  private PgUrl(PgUrl u, String defaultApplicationName) {
    this.scheme = u.scheme;
    this.rawUser = u.rawUser;
    this.rawPassword = u.rawPassword;
    this.rawHosts = u.rawHosts;
    this.rawPath = u.rawPath;
    this.rawParams = u.rawParams;
    this.osUser = u.osUser;
    this.defaultSocketDir = u.defaultSocketDir;
    this.user = u.user;
    this.password = u.password;
    this.hosts = u.hosts;
    this.socketDir = u.socketDir;
    this.port = u.port;
    this.database = u.database;
    this.sslMode = u.sslMode;
    this.connectTimeout = u.connectTimeout;
    this.applicationName = u.applicationName;
    this.defaultApplicationName = defaultApplicationName;
  }

  /** The user name, given or defaulted to the OS user. */
  public String user() {
    return user;
  }

  /** Whether a password is given (in the userinfo or as {@code password=}). */
  public boolean hasPassword() {
    return password != null;
  }

  /** The first TCP host; empty for a Unix socket. */
  public Optional<String> host() {
    return hosts.isEmpty() ? Optional.empty() : Optional.of(hosts.get(0).host());
  }

  /** Every TCP host with its port, in order; empty for a Unix socket. */
  public List<HostPort> hosts() {
    return hosts;
  }

  /** The port of the first host, or of the Unix socket. */
  public int port() {
    return port;
  }

  /** The database name, given or defaulted to the user name. */
  public String database() {
    return database;
  }

  /** The Unix socket directory when connecting over a socket ({@code host=/dir}). */
  public Optional<Path> socketDir() {
    return Optional.ofNullable(socketDir);
  }

  /** The socket file, {@code <dir>/.s.PGSQL.<port>}, when connecting over a socket. */
  public Optional<Path> socketPath() {
    return socketDir().map(d -> d.resolve(".s.PGSQL." + port));
  }

  /** {@code sslmode} as given; empty means pgjdbc's default ({@code prefer}, as libpq). */
  public Optional<String> sslMode() {
    return Optional.ofNullable(sslMode);
  }

  public OptionalInt connectTimeoutSeconds() {
    return connectTimeout == null ? OptionalInt.empty() : OptionalInt.of(connectTimeout);
  }

  /** The application name sent to the server: the URI's, else a default given by ampd. */
  public Optional<String> applicationName() {
    return Optional.ofNullable(applicationName != null ? applicationName : defaultApplicationName);
  }

  /**
   * A copy that sends {@code application_name} to the server unless the URI sets one. The default
   * is not shown in {@link #redacted()} or {@link #psqlUrl()}, which stay the URI as the user wrote
   * it.
   */
  public PgUrl withDefaultApplicationName(String applicationName) {
    if (this.applicationName != null) {
      return this;
    }
    return new PgUrl(this, applicationName);
  }

  /** {@code postgresql://user:***@host:port/db?params}: safe for logs and messages. */
  public String redacted() {
    return render(Password.MASK);
  }

  /** The URI without any password, ready to paste after {@code psql}. */
  public String psqlUrl() {
    return render(Password.OMIT);
  }

  /**
   * {@code jdbc:postgresql://…} without credentials or parameters: use it together with {@link
   * #jdbcProperties()}, which carries everything else. For a Unix socket the host is {@code
   * localhost}; the socket factory ignores it.
   */
  public String jdbcUrl() {
    StringBuilder sb = new StringBuilder("jdbc:postgresql://");
    if (socketDir != null) {
      sb.append("localhost:").append(port);
    } else {
      for (int i = 0; i < hosts.size(); i++) {
        sb.append(i > 0 ? "," : "").append(hosts.get(i));
      }
    }
    // pgjdbc decodes the database name with URLDecoder, so encode it the same way.
    return sb.append('/').append(URLEncoder.encode(database, StandardCharsets.UTF_8)).toString();
  }

  /**
   * pgjdbc connection properties: {@code user}, {@code password}, {@code sslmode}, {@code
   * connectTimeout} and {@code loginTimeout} (seconds), {@code ApplicationName}, and for a Unix
   * socket {@code socketFactory}/{@code socketFactoryArg} (junixsocket) with {@code
   * sslmode=disable}.
   */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    if (socketDir != null) {
      p.setProperty("socketFactory", SOCKET_FACTORY);
      p.setProperty("socketFactoryArg", socketPath().orElseThrow().toString());
      p.setProperty("sslmode", "disable");
    } else if (sslMode != null) {
      p.setProperty("sslmode", sslMode);
    }
    if (connectTimeout != null) {
      p.setProperty("connectTimeout", connectTimeout.toString());
      p.setProperty("loginTimeout", connectTimeout.toString());
    }
    applicationName().ifPresent(name -> p.setProperty("ApplicationName", name));
    return p;
  }

  private String render(Password mode) {
    StringBuilder sb = new StringBuilder(scheme);
    if (rawUser != null) {
      if (mode == Password.OMIT) {
        if (!rawUser.isEmpty()) {
          sb.append(rawUser).append('@');
        }
      } else {
        sb.append(rawUser);
        if (rawPassword != null) {
          sb.append(':');
          if (!rawPassword.isEmpty()) {
            sb.append(mode == Password.MASK ? UriRedaction.MASK : rawPassword);
          }
        }
        sb.append('@');
      }
    }
    sb.append(rawHosts);
    if (rawPath != null) {
      sb.append('/').append(rawPath);
    }
    List<String> params = new ArrayList<>();
    for (RawParam param : rawParams) {
      if (!param.key().equals("password")) {
        params.add(param.rawKey() + "=" + param.rawValue());
      } else if (mode == Password.MASK) {
        params.add(param.rawKey() + "=" + UriRedaction.MASK);
      } else if (mode == Password.KEEP) {
        params.add(param.rawKey() + "=" + param.rawValue());
      }
    }
    if (!params.isEmpty()) {
      sb.append('?').append(String.join("&", params));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PgUrl)) {
      return false;
    }
    PgUrl u = (PgUrl) o;
    return user.equals(u.user)
        && Objects.equals(password, u.password)
        && hosts.equals(u.hosts)
        && Objects.equals(socketDir, u.socketDir)
        && port == u.port
        && database.equals(u.database)
        && Objects.equals(sslMode, u.sslMode)
        && Objects.equals(connectTimeout, u.connectTimeout)
        && Objects.equals(applicationName, u.applicationName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, hosts, socketDir, port, database, sslMode, applicationName);
  }

  @Override
  public String toString() {
    return redacted();
  }

  /** One parse; fields are filled in step by step, then handed to the constructor. */
  private static final class Parser {
    private final String input;
    private final UriRedaction redaction;
    final String osUser;
    final Path defaultSocketDir;

    String scheme;
    String rawUser;
    String rawPassword;
    String rawHosts;
    String rawPath;
    final List<RawParam> rawParams = new ArrayList<>();

    String user;
    String password;
    final List<HostPort> hostPorts = new ArrayList<>();
    Path socketDir;
    int port;
    String database;
    String sslMode;
    Integer connectTimeout;
    String applicationName;

    Parser(String input, String osUser, Path defaultSocketDir) {
      this.input = input;
      this.redaction = UriRedaction.of(input);
      this.osUser = osUser;
      this.defaultSocketDir = defaultSocketDir;
    }

    PgUrl parse() {
      if (input.isBlank()) {
        throw fail("it is empty", HINT);
      }
      scheme = PREFIXES.stream().filter(input::startsWith).findFirst().orElse(null);
      if (scheme == null) {
        throw fail("it must start with postgresql:// or postgres://", HINT);
      }
      String rest = input.substring(scheme.length());
      int qi = rest.indexOf('?');
      String beforeQuery = qi < 0 ? rest : rest.substring(0, qi);
      String query = qi < 0 ? null : rest.substring(qi + 1);

      int at = beforeQuery.lastIndexOf('@');
      String authority = beforeQuery.substring(at + 1);
      String userDecoded = null;
      if (at >= 0) {
        String userinfo = beforeQuery.substring(0, at);
        int colon = userinfo.indexOf(':');
        rawUser = colon < 0 ? userinfo : userinfo.substring(0, colon);
        rawPassword = colon < 0 ? null : userinfo.substring(colon + 1);
        userDecoded = decode(rawUser, "user name");
        if (rawPassword != null && !rawPassword.isEmpty()) {
          password = decode(rawPassword, "password");
        }
      }
      int slash = authority.indexOf('/');
      rawHosts = slash < 0 ? authority : authority.substring(0, slash);
      rawPath = slash < 0 ? null : authority.substring(slash + 1);

      List<String> hostList = new ArrayList<>();
      List<String> portList = new ArrayList<>();
      splitHosts(rawHosts, hostList, portList);
      String dbDecoded = rawPath == null ? null : decode(rawPath, "database name");

      Map<String, String> params = query == null ? Map.of() : parseQuery(query);
      if (params.containsKey("host")) {
        hostList = List.of(params.get("host").split(",", -1));
      }
      if (params.containsKey("port")) {
        portList = List.of(params.get("port").split(",", -1));
      }
      if (params.containsKey("user")) {
        userDecoded = params.get("user");
      }
      if (params.containsKey("password")) {
        String pw = params.get("password");
        password = pw.isEmpty() ? null : pw;
      }
      if (params.containsKey("dbname")) {
        dbDecoded = params.get("dbname");
      }
      sslMode = params.get("sslmode");
      if (sslMode != null && !SSL_MODES.contains(sslMode)) {
        throw fail(
            "sslmode '" + q(sslMode) + "' is not one of " + String.join(", ", SSL_MODES), HINT);
      }
      String timeout = params.get("connect_timeout");
      if (timeout != null) {
        connectTimeout = parseTimeout(timeout);
      }
      applicationName = params.get("application_name");

      user = userDecoded == null || userDecoded.isEmpty() ? osUser : userDecoded;
      database = dbDecoded == null || dbDecoded.isEmpty() ? user : dbDecoded;
      resolveEndpoints(hostList, portList);
      return new PgUrl(this);
    }

    /** Splits {@code h1:p1,[::1]:p2,...} into parallel host and port lists ("" = default). */
    private void splitHosts(String raw, List<String> hostList, List<String> portList) {
      for (String entry : raw.split(",", -1)) {
        String host;
        String portText;
        if (entry.startsWith("[")) {
          int close = entry.indexOf(']');
          if (close < 0) {
            throw fail("IPv6 host '" + q(entry) + "' has no closing ']'", HINT);
          }
          host = decode(entry.substring(1, close), "host");
          if (host.isEmpty()) {
            throw fail("IPv6 host '[]' is empty", HINT);
          }
          String after = entry.substring(close + 1);
          if (!after.isEmpty() && !after.startsWith(":")) {
            throw fail("unexpected '" + q(after) + "' after IPv6 host '[" + q(host) + "]'", HINT);
          }
          portText = after.isEmpty() ? "" : after.substring(1);
        } else {
          int colon = entry.indexOf(':');
          host = colon < 0 ? entry : entry.substring(0, colon);
          portText = colon < 0 ? "" : entry.substring(colon + 1);
          if (portText.contains(":")) {
            throw fail(
                "host '" + q(entry) + "' has more than one ':' (put IPv6 addresses in [])", HINT);
          }
          host = decode(host, "host");
        }
        hostList.add(host);
        portList.add(decode(portText, "port"));
      }
    }

    private Map<String, String> parseQuery(String query) {
      Map<String, String> params = new LinkedHashMap<>();
      for (String part : query.split("&", -1)) {
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        if (eq < 0) {
          throw fail("parameter '" + q(part) + "' has no value (expected name=value)", PARAM_HINT);
        }
        String rawKey = part.substring(0, eq);
        String rawValue = part.substring(eq + 1);
        String key = decode(rawKey, "parameter name");
        if (!PARAMETERS.contains(key)) {
          throw fail("unknown parameter '" + q(key) + "'", PARAM_HINT);
        }
        String value = decode(rawValue, key.equals("password") ? "password" : key);
        rawParams.add(new RawParam(rawKey, rawValue, key));
        params.put(key, value);
      }
      return Collections.unmodifiableMap(params);
    }

    private int parseTimeout(String text) {
      if (!text.matches("[0-9]{1,9}")) {
        throw fail(
            "connect_timeout '" + q(text) + "' is not a whole number of seconds (0 or more)", HINT);
      }
      return Integer.parseInt(text);
    }

    private void resolveEndpoints(List<String> hostList, List<String> portList) {
      List<Integer> ports = new ArrayList<>();
      for (String p : portList) {
        ports.add(parsePort(p));
      }
      if (ports.size() != 1 && ports.size() != hostList.size()) {
        throw fail(
            "could not match " + ports.size() + " port numbers to " + hostList.size() + " hosts",
            HINT);
      }
      boolean socket = false;
      List<Path> dirs = new ArrayList<>();
      for (int i = 0; i < hostList.size(); i++) {
        String host = hostList.get(i);
        int p = ports.get(ports.size() == 1 ? 0 : i);
        if (host.isEmpty() || host.startsWith("/")) {
          socket = true;
          dirs.add(host.isEmpty() ? defaultSocketDir : Path.of(host).normalize());
          port = p;
        } else {
          hostPorts.add(new HostPort(host, p));
        }
      }
      if (socket && hostList.size() > 1) {
        throw fail("a Unix socket directory cannot be combined with other hosts", HINT);
      }
      if (socket) {
        socketDir = dirs.get(0);
      } else {
        port = hostPorts.get(0).port();
      }
    }

    private int parsePort(String text) {
      if (text.isEmpty()) {
        return DEFAULT_PORT;
      }
      if (!text.matches("[0-9]{1,9}")) {
        throw fail("port '" + q(text) + "' is not a number", HINT);
      }
      int p = Integer.parseInt(text);
      if (p < 1 || p > 65535) {
        throw fail("port " + p + " is out of range (1-65535)", HINT);
      }
      return p;
    }

    private String decode(String raw, String what) {
      try {
        return Percent.decode(raw);
      } catch (Percent.BadEncoding e) {
        throw fail("bad percent-encoding in the " + what + ": " + e.getMessage(), HINT);
      }
    }

    private String q(String piece) {
      return redaction.scrub(piece);
    }

    private ConfigException fail(String reason, String hint) {
      return new ConfigException(
          "'" + redaction.text() + "' is not a valid PostgreSQL URL: " + reason, hint);
    }
  }
}
