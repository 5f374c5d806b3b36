package io.ampd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgUrlTest {
  private static final Path SOCKETS = Path.of("/run/test-sockets");
  private static final String HINT =
      "expected postgresql://[user[:password]@][host][:port][/db][?param=value&...]";

  private static PgUrl parse(String uri) {
    return PgUrl.parse(uri, "osuser", SOCKETS);
  }

  private static ConfigException parseError(String uri) {
    return assertThrows(ConfigException.class, () -> parse(uri));
  }

  @Test
  void fullUri() {
    PgUrl url = parse("postgresql://amp:secret@db.example.com:6432/ampdb");
    assertEquals("amp", url.user());
    assertTrue(url.hasPassword());
    assertEquals(Optional.of("db.example.com"), url.host());
    assertEquals(6432, url.port());
    assertEquals("ampdb", url.database());
    assertEquals(Optional.empty(), url.socketDir());
    assertEquals("jdbc:postgresql://db.example.com:6432/ampdb", url.jdbcUrl());
    Properties p = url.jdbcProperties();
    assertEquals("amp", p.getProperty("user"));
    assertEquals("secret", p.getProperty("password"));
    assertNull(p.getProperty("socketFactory"));
    assertNull(p.getProperty("sslmode"));
  }

  @Test
  void postgresSchemeIsAnAlias() {
    PgUrl url = parse("postgres://amp@localhost/amp");
    assertEquals(parse("postgresql://amp@localhost/amp"), url);
    assertEquals("postgres://amp@localhost/amp", url.redacted());
  }

  @Test
  void defaultsFollowLibpq() {
    PgUrl url = parse("postgresql://db.example.com");
    assertEquals("osuser", url.user());
    assertEquals("osuser", url.database());
    assertEquals(PgUrl.DEFAULT_PORT, url.port());
    assertFalse(url.hasPassword());
    assertEquals(OptionalInt.empty(), url.connectTimeoutSeconds());
    assertEquals("jdbc:postgresql://db.example.com:5432/osuser", url.jdbcUrl());
    assertEquals("osuser", url.jdbcProperties().getProperty("user"));
    assertNull(url.jdbcProperties().getProperty("password"));
  }

  @Test
  void userDefaultsDatabase() {
    PgUrl url = parse("postgresql://alice@h/");
    assertEquals("alice", url.database());
  }

  @Test
  void noHostMeansTheDefaultSocketDir() {
    PgUrl url = parse("postgresql:///amp");
    assertEquals(Optional.of(SOCKETS), url.socketDir());
    assertEquals(Optional.of(SOCKETS.resolve(".s.PGSQL.5432")), url.socketPath());
    assertEquals(Optional.empty(), url.host());
    assertEquals(List.of(), url.hosts());
    assertEquals("amp", url.database());
  }

  @Test
  void bareSchemeIsAllDefaults() {
    PgUrl url = parse("postgresql://");
    assertEquals(Optional.of(SOCKETS), url.socketDir());
    assertEquals("osuser", url.database());
  }

  @Test
  void defaultSocketDirIsRunDirWhereItExists() {
    Path run = Path.of("/var/run/postgresql");
    assertEquals(run, PgUrl.defaultSocketDir(run::equals));
  }

  @Test
  void defaultSocketDirIsTmpWithoutRunDir() {
    assertEquals(Path.of("/tmp"), PgUrl.defaultSocketDir(dir -> false));
  }

  @Test
  void socketHostParameter() {
    PgUrl url = parse("postgresql:///amp?host=/var/run/postgresql&port=5433");
    assertEquals(Optional.of(Path.of("/var/run/postgresql")), url.socketDir());
    assertEquals(5433, url.port());
    assertEquals("jdbc:postgresql://localhost:5433/amp", url.jdbcUrl());
    Properties p = url.jdbcProperties();
    assertEquals("org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg", p.get("socketFactory"));
    assertEquals("/var/run/postgresql/.s.PGSQL.5433", p.get("socketFactoryArg"));
    assertEquals("disable", p.get("sslmode"));
  }

  @Test
  void percentEncodedSocketDirInHostPart() {
    PgUrl url = parse("postgresql://%2Fvar%2Frun%2Fpostgresql:5434/amp");
    assertEquals(Optional.of(Path.of("/var/run/postgresql")), url.socketDir());
    assertEquals(5434, url.port());
  }

  @Test
  void sslModeDoesNotApplyToSockets() {
    PgUrl url = parse("postgresql:///amp?host=/tmp&sslmode=verify-full");
    assertEquals("disable", url.jdbcProperties().get("sslmode"));
    assertEquals(Optional.of("verify-full"), url.sslMode());
  }

  @Test
  void percentDecodingOfEveryPart() {
    PgUrl url = parse("postgresql://us%40er:p%3Aw%2Fd%40x@h%2Dost/my%20db?application_name=a%26b");
    assertEquals("us@er", url.user());
    assertEquals("p:w/d@x", url.jdbcProperties().getProperty("password"));
    assertEquals(Optional.of("h-ost"), url.host());
    assertEquals("my db", url.database());
    assertEquals(Optional.of("a&b"), url.applicationName());
    assertEquals("jdbc:postgresql://h-ost:5432/my+db", url.jdbcUrl());
  }

  @Test
  void unicodeIsDecodedAsUtf8() {
    assertEquals("bäse", parse("postgresql://h/b%C3%A4se").database());
  }

  @Test
  void passwordWithUnencodedAtAndSlash() {
    PgUrl url = parse("postgresql://u:p@ss/w@db/amp");
    assertEquals("p@ss/w", url.jdbcProperties().getProperty("password"));
    assertEquals(Optional.of("db"), url.host());
    assertEquals("postgresql://u:***@db/amp", url.redacted());
  }

  @Test
  void ipv6Hosts() {
    PgUrl url = parse("postgresql://[::1]:5433/amp");
    assertEquals(Optional.of("::1"), url.host());
    assertEquals(5433, url.port());
    assertEquals("jdbc:postgresql://[::1]:5433/amp", url.jdbcUrl());
    assertEquals(
        "jdbc:postgresql://[2001:db8::7]:5432/x", parse("postgres://[2001:db8::7]/x").jdbcUrl());
  }

  @Test
  void multipleHosts() {
    PgUrl url = parse("postgresql://u@h1:5432,h2:5433,[::1]/amp");
    assertEquals(
        List.of(new HostPort("h1", 5432), new HostPort("h2", 5433), new HostPort("::1", 5432)),
        url.hosts());
    assertEquals("jdbc:postgresql://h1:5432,h2:5433,[::1]:5432/amp", url.jdbcUrl());
    assertEquals(Optional.of("h1"), url.host());
  }

  @Test
  void hostAndPortListsInQuery() {
    PgUrl url = parse("postgresql:///amp?host=h1,h2&port=1,2");
    assertEquals(List.of(new HostPort("h1", 1), new HostPort("h2", 2)), url.hosts());
    PgUrl one = parse("postgresql:///amp?host=h1,h2&port=7");
    assertEquals(List.of(new HostPort("h1", 7), new HostPort("h2", 7)), one.hosts());
  }

  @Test
  void queryOverridesUriParts() {
    PgUrl url = parse("postgresql://a:x@h/db1?user=b&password=y&dbname=db2&host=h2&port=6000");
    assertEquals("b", url.user());
    assertEquals("y", url.jdbcProperties().getProperty("password"));
    assertEquals("db2", url.database());
    assertEquals(List.of(new HostPort("h2", 6000)), url.hosts());
  }

  @Test
  void parametersMapToPgjdbc() {
    PgUrl url =
        parse("postgresql://h/amp?sslmode=verify-full&connect_timeout=7&application_name=ampd");
    Properties p = url.jdbcProperties();
    assertEquals("verify-full", p.get("sslmode"));
    assertEquals("7", p.get("connectTimeout"));
    assertEquals("7", p.get("loginTimeout"));
    assertEquals("ampd", p.get("ApplicationName"));
    assertEquals(OptionalInt.of(7), url.connectTimeoutSeconds());
    assertEquals(Optional.of("verify-full"), url.sslMode());
    assertEquals("jdbc:postgresql://h:5432/amp", url.jdbcUrl());
  }

  @ParameterizedTest
  @ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
  void everySslModeIsAccepted(String mode) {
    assertEquals(mode, parse("postgresql://h/amp?sslmode=" + mode).jdbcProperties().get("sslmode"));
  }

  @Test
  void zeroConnectTimeoutMeansNoLimit() {
    assertEquals(
        OptionalInt.of(0), parse("postgresql://h/?connect_timeout=0").connectTimeoutSeconds());
  }

  @Test
  void redactedMasksEveryPassword() {
    PgUrl url = parse("postgresql://amp:s3cr%2Ft@db:5432/amp?password=other&sslmode=require");
    assertEquals("postgresql://amp:***@db:5432/amp?password=***&sslmode=require", url.redacted());
    assertEquals(url.redacted(), url.toString());
    assertEquals("postgresql://amp@db:5432/amp?sslmode=require", url.psqlUrl());
  }

  @Test
  void redactedKeepsTheUriWithoutPassword() {
    String uri = "postgresql://amp@db:5432/amp?application_name=x";
    assertEquals(uri, parse(uri).redacted());
    assertEquals(uri, parse(uri).psqlUrl());
  }

  @Test
  void psqlUrlDropsPasswordOnlyUserinfo() {
    PgUrl url = parse("postgresql://:pw@db/amp");
    assertEquals("postgresql://:***@db/amp", url.redacted());
    assertEquals("postgresql://db/amp", url.psqlUrl());
  }

  @Test
  void jdbcUrlHasNoCredentials() {
    PgUrl url = parse("postgresql://amp:hunter2@db/amp?password=hunter3");
    assertFalse(url.jdbcUrl().contains("hunter"));
    assertFalse(url.jdbcUrl().contains("amp:"));
  }

  @Test
  void withDefaultApplicationName() {
    PgUrl url = parse("postgresql://amp:pw@db/amp").withDefaultApplicationName("ampd solo");
    assertEquals(Optional.of("ampd solo"), url.applicationName());
    assertEquals("postgresql://amp:***@db/amp", url.redacted());
    assertEquals("postgresql://amp@db/amp", url.psqlUrl());
    assertEquals("ampd solo", url.jdbcProperties().get("ApplicationName"));
    assertEquals("pw", url.jdbcProperties().get("password"));

    PgUrl named = parse("postgresql://db/amp?sslmode=require&application_name=mine");
    assertSame(named, named.withDefaultApplicationName("ampd"));
    PgUrl withParams = parse("postgresql://db/amp?sslmode=require").withDefaultApplicationName("a");
    assertEquals("postgresql://db/amp?sslmode=require", withParams.redacted());
    assertEquals("a", withParams.jdbcProperties().get("ApplicationName"));
  }

  @Test
  void unixSocketFactory() {
    PgUrl url = PgUrl.unixSocket(Path.of("/tmp/amp dir/metadb"), 5999, "amp", "postgres");
    assertEquals(Optional.of(Path.of("/tmp/amp dir/metadb")), url.socketDir());
    assertEquals(5999, url.port());
    assertEquals("amp", url.database());
    assertEquals("postgres", url.user());
    assertEquals("postgresql://postgres@/amp?host=/tmp/amp%20dir/metadb&port=5999", url.psqlUrl());
    assertEquals("/tmp/amp dir/metadb/.s.PGSQL.5999", url.jdbcProperties().get("socketFactoryArg"));
    assertEquals(parse(url.psqlUrl()), url);
  }

  @Test
  void equalsComparesMeaning() {
    assertEquals(parse("postgresql://u:p@h:5432/d"), parse("postgres://u:p@h/d"));
    assertEquals(
        parse("postgresql://u:p@h:5432/d").hashCode(), parse("postgres://u:p@h/d").hashCode());
    assertNotEquals(parse("postgresql://u:p@h/d"), parse("postgresql://u:q@h/d"));
    assertNotEquals(parse("postgresql://u@h/d"), parse("postgresql://u@h/e"));
  }

  // ---- errors

  @Test
  void portNotANumberIsRedacted() {
    ConfigException e = parseError("postgresql://u:pw@db:notaport/amp");
    assertEquals(
        "'postgresql://u:***@db:notaport/amp' is not a valid PostgreSQL URL: "
            + "port 'notaport' is not a number",
        e.getMessage());
    assertEquals(HINT, e.hint());
  }

  @Test
  void portOutOfRange() {
    assertEquals(
        "'postgresql://db:70000/amp' is not a valid PostgreSQL URL: "
            + "port 70000 is out of range (1-65535)",
        parseError("postgresql://db:70000/amp").getMessage());
    assertTrue(
        parseError("postgresql://db:0/amp")
            .getMessage()
            .endsWith("port 0 is out of range (1-65535)"));
  }

  @Test
  void wrongScheme() {
    ConfigException e = parseError("mysql://u:pw@db/amp");
    assertEquals(
        "'mysql://u:***@db/amp' is not a valid PostgreSQL URL: "
            + "it must start with postgresql:// or postgres://",
        e.getMessage());
    assertEquals(HINT, e.hint());
  }

  @Test
  void emptyUri() {
    assertEquals("'' is not a valid PostgreSQL URL: it is empty", parseError("").getMessage());
  }

  @Test
  void unknownParameterIsNamed() {
    ConfigException e = parseError("postgresql://u:pw@db/amp?sslmode=require&target=x");
    assertEquals(
        "'postgresql://u:***@db/amp?sslmode=require&target=x' is not a valid PostgreSQL URL: "
            + "unknown parameter 'target'",
        e.getMessage());
    assertEquals(
        "supported parameters: host, port, dbname, user, password, sslmode, connect_timeout,"
            + " application_name",
        e.hint());
  }

  @Test
  void parameterWithoutValue() {
    assertTrue(
        parseError("postgresql://db/amp?sslmode")
            .getMessage()
            .endsWith("parameter 'sslmode' has no value (expected name=value)"));
  }

  @Test
  void badSslMode() {
    assertTrue(
        parseError("postgresql://db/amp?sslmode=on")
            .getMessage()
            .endsWith(
                "sslmode 'on' is not one of disable, allow, prefer, require, verify-ca,"
                    + " verify-full"));
  }

  @Test
  void badConnectTimeout() {
    assertTrue(
        parseError("postgresql://db/amp?connect_timeout=-1")
            .getMessage()
            .endsWith("connect_timeout '-1' is not a whole number of seconds (0 or more)"));
    assertTrue(parseError("postgresql://db/amp?connect_timeout=5s").getMessage().contains("'5s'"));
  }

  @Test
  void socketCannotBeMixedWithHosts() {
    assertTrue(
        parseError("postgresql:///amp?host=/tmp,db")
            .getMessage()
            .endsWith("a Unix socket directory cannot be combined with other hosts"));
  }

  @Test
  void portListMustMatchHosts() {
    assertTrue(
        parseError("postgresql:///amp?host=a,b,c&port=1,2")
            .getMessage()
            .endsWith("could not match 2 port numbers to 3 hosts"));
  }

  @Test
  void badIpv6() {
    assertTrue(parseError("postgresql://[::1/amp").getMessage().endsWith("has no closing ']'"));
    assertTrue(
        parseError("postgresql://::1/amp")
            .getMessage()
            .endsWith("host '::1' has more than one ':' (put IPv6 addresses in [])"));
  }

  @Test
  void badPercentEncodingNeverQuotesThePassword() {
    ConfigException e = parseError("postgresql://u:zz%G1topsecret@db/amp");
    assertEquals(
        "'postgresql://u:***@db/amp' is not a valid PostgreSQL URL: "
            + "bad percent-encoding in the password: a '%' is not followed by two hex digits",
        e.getMessage());
    assertTrue(parseError("postgresql://db/a%00b").getMessage().endsWith("%00 is not allowed"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgresql://u:Xyzzy-Pw-42@db:notaport/amp",
        "postgresql://u:Xyzzy-Pw-42@db/amp?bogus=1",
        "postgresql://u:Xyzzy-Pw-42@db/amp?sslmode=bogus",
        "postgresql://db/amp?password=Xyzzy-Pw-42&port=x",
        "postgresql://db/amp?password=Xyzzy-Pw-42&connect_timeout=x",
        "postgresql://db/amp?password=Xyzzy%2DPw%2D42&sslmode",
        "postgresql://u:Xyzzy-Pw-42@[::1/amp",
        "postgresql://u:Xyzzy?Pw-42@db/amp",
        "postgresql://u:Xyzzy-Pw-42?@db:x/amp",
        "postgresql://u:Xyzzy-Pw-42:@db:x/amp",
        "postgresql://u:Xyzzy-Pw-42@db,/amp",
        "postgresql://u:Xyzzy-Pw-42%@db/amp",
        "mysql://u:Xyzzy-Pw-42@db/amp",
        "u:Xyzzy-Pw-42@db/amp",
      })
  void noErrorEverShowsThePassword(String uri) {
    ConfigException e = parseError(uri);
    String all = e.getMessage() + "\n" + e.hint();
    assertFalse(all.contains("Xyzzy"), all);
    assertFalse(all.contains("Pw-42"), all);
    assertFalse(all.contains("Pw%2D42"), all);
  }

  @Test
  void redactHandlesUnparsableInput() {
    assertEquals("postgresql://u:***@h:x/db", PgUrl.redact("postgresql://u:pw@h:x/db"));
    assertEquals("h/db?password=***&a=b", PgUrl.redact("h/db?password=pw&a=b"));
    assertEquals("", PgUrl.redact(null));
  }
}
