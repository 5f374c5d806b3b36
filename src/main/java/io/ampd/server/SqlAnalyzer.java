package io.ampd.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.core.Json;
import io.ampd.server.QueryException.Kind;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a query before anything runs, with DuckDB's own parser ({@code json_serialize_sql}, which
 * serializes only SELECT statements): refuses what is not one read-only query, finds the dataset
 * tables it names (their byte ranges in the text, to replace them by their files), and the block
 * ranges its {@code WHERE} clauses confine each table to (to list only the files of that range).
 *
 * <p>Refused: anything but a single SELECT (DDL, DML, COPY, ATTACH, INSTALL/LOAD, SET/PRAGMA, CALL,
 * EXPLAIN, several statements), table functions other than {@link QueryEngine#TABLE_FUNCTIONS}
 * (which read no file), files named as tables ({@code FROM '/etc/passwd'}), catalog-qualified
 * tables, time travel, DESCRIBE/SUMMARIZE, and parameters.
 *
 * <p>A block range is taken only from conjuncts of a SELECT's {@code WHERE} that compare a table's
 * {@code block_num} with integer constants ({@code =}, {@code <}, {@code <=}, {@code >}, {@code
 * >=}, {@code BETWEEN}, {@code IN}): such a conjunct drops every row of that table outside the
 * range, whatever the joins, so leaving its files out changes no answer. Anything else leaves the
 * table's range open.
 */
final class SqlAnalyzer {
  /** Where DuckDB marks an unknown location. */
  private static final BigInteger NO_LOCATION = new BigInteger("18446744073709551615");

  /** Amp's streaming queries end with {@code SETTINGS stream = true}. */
  private static final Pattern STREAMING =
      Pattern.compile("(?is).*\\bSETTINGS\\s+stream\\s*=\\s*true\\s*;?\\s*");

  private SqlAnalyzer() {}

  /**
   * A dataset table the query names.
   *
   * @param start first byte of its reference in the text (UTF-8)
   * @param nameEnd byte after {@code schema.table}
   * @param schema the schema as written (a dataset reference)
   * @param table the table as written
   * @param alias the alias given, or empty
   * @param range the blocks the query may read from it
   */
  record TableRef(int start, int nameEnd, String schema, String table, String alias, Range range) {}

  /** A column written {@code schema.table.column}; the table's replacement has no schema. */
  record QualifiedColumn(int start, int end, String schema, String table, String column) {}

  /**
   * What a query names.
   *
   * @param utf8 the query text
   * @param tables the dataset tables, in text order
   * @param columns columns qualified with a schema
   */
  record Analysis(byte[] utf8, List<TableRef> tables, List<QualifiedColumn> columns) {}

  /** An inclusive block range; {@link #ALL} when unconstrained. */
  record Range(long lo, long hi) {
    static final Range ALL = new Range(Long.MIN_VALUE, Long.MAX_VALUE);

    Range intersect(Range o) {
      return new Range(Math.max(lo, o.lo), Math.min(hi, o.hi));
    }

    boolean overlaps(long start, long end) {
      return start <= hi && end >= lo;
    }

    boolean all() {
      return lo == Long.MIN_VALUE && hi == Long.MAX_VALUE;
    }
  }

  /** DuckDB's parser: {@code json_serialize_sql} of a text. */
  interface Parser {
    /** The JSON tree of {@code sql}, or DuckDB's JSON description of why it does not parse. */
    String serialize(String sql) throws SQLException;
  }

  /** Analyzes {@code sql} with the parser of a DuckDB connection. */
  static Analysis analyze(Connection engine, String sql) {
    return analyze(text -> serialize(engine, text), sql);
  }

  /** {@code json_serialize_sql(sql)} on {@code c}. */
  static String serialize(Connection c, String sql) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SERIALIZE)) {
      return serialize(s, sql);
    }
  }

  /** The query {@link #serialize(PreparedStatement, String)} runs. */
  static final String SERIALIZE = "SELECT json_serialize_sql(?::VARCHAR)";

  /** {@code json_serialize_sql(sql)} with {@code s}, a prepared {@link #SERIALIZE}. */
  static String serialize(PreparedStatement s, String sql) throws SQLException {
    s.setString(1, sql);
    try (ResultSet r = s.executeQuery()) {
      r.next();
      return r.getString(1);
    }
  }

  /** Analyzes {@code sql} with {@code parser}. */
  static Analysis analyze(Parser parser, String sql) {
    if (sql.isBlank()) {
      throw new QueryException(Kind.INVALID_SQL_STRING, "the SQL text is empty");
    }
    if (STREAMING.matcher(sql).matches()) {
      throw new QueryException(
          Kind.STREAMING_NOT_SUPPORTED,
          "Streaming queries (SETTINGS stream = true) are not supported by this server");
    }
    JsonNode tree = tree(parser, sql);
    byte[] utf8 = sql.getBytes(StandardCharsets.UTF_8);
    if (tree.path("error").asBoolean(false)) {
      throw parseError(tree, sql, utf8);
    }
    JsonNode statements = tree.path("statements");
    if (statements.size() == 0) {
      throw new QueryException(Kind.INVALID_SQL_STRING, "the SQL text holds no statement");
    }
    if (statements.size() > 1) {
      throw new QueryException(
          Kind.INVALID_QUERY,
          "the SQL text holds " + statements.size() + " statements: send one query at a time");
    }
    Walk walk = new Walk();
    walk.visit(statements.get(0));
    return walk.finish(utf8);
  }

  private static JsonNode tree(Parser parser, String sql) {
    try {
      return Json.MAPPER.readTree(parser.serialize(sql));
    } catch (SQLException | JsonProcessingException e) {
      throw new QueryException(Kind.INTERNAL, "cannot parse the query: " + e.getMessage(), e);
    }
  }

  private static QueryException parseError(JsonNode tree, String sql, byte[] utf8) {
    String type = tree.path("error_type").asText("");
    String message = tree.path("error_message").asText("invalid SQL");
    if (type.equals("not implemented")) {
      return new QueryException(Kind.INVALID_QUERY, refusal(sql));
    }
    String position = tree.path("position").asText("");
    StringBuilder out = new StringBuilder(message);
    if (!position.isEmpty()) {
      try {
        int at = Integer.parseInt(position);
        int[] lc = lineColumn(utf8, at);
        out.append(" at line ").append(lc[0]).append(", column ").append(lc[1]);
      } catch (NumberFormatException e) {
        // no position to give
      }
    }
    return new QueryException(Kind.SQL_PARSE_ERROR, out.toString());
  }

  /** The 1-based line and column (in characters) of byte {@code at}. */
  static int[] lineColumn(byte[] utf8, int at) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < Math.min(at, utf8.length); i++) {
      if (utf8[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int end = Math.min(Math.max(at, lineStart), utf8.length);
    int column = new String(utf8, lineStart, end - lineStart, StandardCharsets.UTF_8).length() + 1;
    return new int[] {line, column};
  }

  /** Why a statement that is not a query is refused, naming its kind. */
  static String refusal(String sql) {
    List<String> kinds = SqlWords.statementKeywords(sql);
    String kind = null;
    for (String k : kinds) {
      if (!SqlWords.QUERY_KEYWORDS.contains(k)) {
        kind = k;
        break;
      }
    }
    if (kinds.size() > 1) {
      return "the SQL text holds "
          + kinds.size()
          + " statements"
          + (kind == null ? "" : ", one of them " + SqlWords.article(kind) + " statement")
          + ": send one read-only query (SELECT) at a time";
    }
    return (kind == null ? "this statement" : SqlWords.article(kind) + " statement")
        + " cannot run here: the server runs read-only queries (SELECT) only";
  }

  /** One pass over the statement's tree. */
  private static final class Walk {
    private final List<JsonNode> baseTables = new ArrayList<>();
    private final List<JsonNode> columns = new ArrayList<>();
    private final Set<String> cteNames = new HashSet<>();
    private final Map<JsonNode, Range> ranges = new IdentityHashMap<>();

    void visit(JsonNode n) {
      if (n.isArray()) {
        for (JsonNode c : n) {
          visit(c);
        }
        return;
      }
      if (!n.isObject()) {
        return;
      }
      JsonNode type = n.get("type");
      JsonNode cls = n.get("class");
      if (type != null && type.isTextual()) {
        String t = type.asText();
        if (cls == null) {
          switch (t) {
            case "BASE_TABLE" -> baseTables.add(n);
            case "TABLE_FUNCTION" -> tableFunction(n);
            case "SHOW_REF" ->
                throw new QueryException(
                    Kind.INVALID_QUERY, "DESCRIBE, SHOW and SUMMARIZE are not supported here");
            case "SELECT_NODE" -> constraints(n);
            default -> {
              // joins, subqueries, set operations, modifiers: nothing to check of their own
            }
          }
        } else if (cls.asText().equals("PARAMETER")) {
          throw new QueryException(
              Kind.INVALID_QUERY, "query parameters ($1, ?) are not supported: write the values");
        } else if (cls.asText().equals("COLUMN_REF") && n.path("column_names").size() == 3) {
          columns.add(n);
        }
      }
      JsonNode ctes = n.get("cte_map");
      if (ctes != null) {
        for (JsonNode entry : ctes.path("map")) {
          cteNames.add(entry.path("key").asText("").toLowerCase(Locale.ROOT));
        }
      }
      for (JsonNode c : n) {
        visit(c);
      }
    }

    private void tableFunction(JsonNode n) {
      JsonNode f = n.path("function");
      String name = f.path("function_name").asText("");
      boolean qualified = !f.path("schema").asText("").isEmpty();
      if (qualified || !QueryEngine.TABLE_FUNCTIONS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new QueryException(
            Kind.INVALID_QUERY,
            "table function "
                + name
                + " is not allowed: a query reads the datasets' tables (schema.table); of the"
                + " table functions only "
                + String.join(", ", QueryEngine.TABLE_FUNCTIONS)
                + " may be used");
      }
    }

    Analysis finish(byte[] utf8) {
      List<TableRef> tables = new ArrayList<>();
      for (JsonNode n : baseTables) {
        String schema = n.path("schema_name").asText("");
        String table = n.path("table_name").asText("");
        if (!n.path("catalog_name").asText("").isEmpty()) {
          throw new QueryException(
              Kind.INVALID_QUERY,
              "catalog-qualified tables are not supported: write \"dataset\".table");
        }
        if (schema.isEmpty()) {
          if (cteNames.contains(table.toLowerCase(Locale.ROOT))) {
            continue; // a common table expression of the query
          }
          throw new QueryException(
              Kind.TABLE_NOT_FOUND,
              "table '"
                  + table
                  + "' not found: name a dataset's table as dataset.table, e.g."
                  + " \"example/mainnet\".blocks");
        }
        if (!n.path("at_clause").isNull() && !n.path("at_clause").isMissingNode()) {
          throw new QueryException(Kind.INVALID_QUERY, "time travel (AT ...) is not supported");
        }
        int start = location(n);
        int nameEnd = SqlWords.qualifiedNameEnd(utf8, start);
        if (start < 0 || nameEnd < 0) {
          throw new QueryException(
              Kind.INTERNAL, "cannot locate the table reference " + schema + "." + table);
        }
        tables.add(
            new TableRef(
                start,
                nameEnd,
                schema,
                table,
                n.path("alias").asText(""),
                ranges.getOrDefault(n, Range.ALL)));
      }
      tables.sort((a, b) -> Integer.compare(a.start(), b.start()));
      List<QualifiedColumn> qualified = new ArrayList<>();
      for (JsonNode n : columns) {
        int start = location(n);
        int length = n.path("query_location_length").asInt(-1);
        JsonNode parts = n.path("column_names");
        if (start >= 0 && length > 0) {
          qualified.add(
              new QualifiedColumn(
                  start,
                  start + length,
                  parts.get(0).asText(),
                  parts.get(1).asText(),
                  parts.get(2).asText()));
        }
      }
      return new Analysis(utf8, List.copyOf(tables), List.copyOf(qualified));
    }

    private static int location(JsonNode n) {
      JsonNode at = n.path("query_location");
      if (!at.isIntegralNumber() || at.bigIntegerValue().equals(NO_LOCATION)) {
        return -1;
      }
      return at.canConvertToInt() ? at.intValue() : -1;
    }

    /** Block ranges from the conjuncts of a SELECT's WHERE, for its own FROM's tables. */
    private void constraints(JsonNode select) {
      JsonNode where = select.get("where_clause");
      if (where == null || where.isNull()) {
        return;
      }
      List<JsonNode> tables = new ArrayList<>();
      boolean[] other = new boolean[1];
      fromItems(select.path("from_table"), tables, other);
      if (tables.isEmpty()) {
        return;
      }
      List<JsonNode> conjuncts = new ArrayList<>();
      conjuncts(where, conjuncts);
      for (JsonNode c : conjuncts) {
        Bound b = bound(c);
        if (b == null) {
          continue;
        }
        JsonNode table = owner(b.column, tables, other[0]);
        if (table != null) {
          ranges.merge(table, b.range, Range::intersect);
        }
      }
    }

    private static void fromItems(JsonNode from, List<JsonNode> tables, boolean[] other) {
      switch (from.path("type").asText("")) {
        case "BASE_TABLE" -> tables.add(from);
        case "JOIN" -> {
          fromItems(from.path("left"), tables, other);
          fromItems(from.path("right"), tables, other);
        }
        case "EMPTY", "" -> {}
        default -> other[0] = true;
      }
    }

    private static void conjuncts(JsonNode e, List<JsonNode> out) {
      if (e.path("type").asText("").equals("CONJUNCTION_AND")) {
        for (JsonNode c : e.path("children")) {
          conjuncts(c, out);
        }
      } else {
        out.add(e);
      }
    }

    /** A column compared with integer constants. */
    private record Bound(JsonNode column, Range range) {}

    private static Bound bound(JsonNode e) {
      String type = e.path("type").asText("");
      switch (type) {
        case "COMPARE_EQUAL",
            "COMPARE_LESSTHAN",
            "COMPARE_LESSTHANOREQUALTO",
            "COMPARE_GREATERTHAN",
            "COMPARE_GREATERTHANOREQUALTO" -> {
          JsonNode left = e.path("left");
          JsonNode right = e.path("right");
          Long lv = constant(left);
          Long rv = constant(right);
          if (isBlockNum(left) && rv != null) {
            return new Bound(left, compare(type, rv, false));
          }
          if (isBlockNum(right) && lv != null) {
            return new Bound(right, compare(type, lv, true));
          }
          return null;
        }
        case "COMPARE_BETWEEN" -> {
          Long lo = constant(e.path("lower"));
          Long hi = constant(e.path("upper"));
          JsonNode input = e.path("input");
          return isBlockNum(input) && lo != null && hi != null
              ? new Bound(input, new Range(lo, hi))
              : null;
        }
        case "COMPARE_IN" -> {
          JsonNode children = e.path("children");
          if (children.size() < 2 || !isBlockNum(children.get(0))) {
            return null;
          }
          long lo = Long.MAX_VALUE;
          long hi = Long.MIN_VALUE;
          for (int i = 1; i < children.size(); i++) {
            Long v = constant(children.get(i));
            if (v == null) {
              return null;
            }
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
          return new Bound(children.get(0), new Range(lo, hi));
        }
        default -> {
          return null;
        }
      }
    }

    /** {@code block_num op v}, or {@code v op block_num} when {@code flipped}. */
    private static Range compare(String type, long v, boolean flipped) {
      String t = type;
      if (flipped) {
        t =
            switch (type) {
              case "COMPARE_LESSTHAN" -> "COMPARE_GREATERTHAN";
              case "COMPARE_LESSTHANOREQUALTO" -> "COMPARE_GREATERTHANOREQUALTO";
              case "COMPARE_GREATERTHAN" -> "COMPARE_LESSTHAN";
              case "COMPARE_GREATERTHANOREQUALTO" -> "COMPARE_LESSTHANOREQUALTO";
              default -> type;
            };
      }
      return switch (t) {
        case "COMPARE_EQUAL" -> new Range(v, v);
        case "COMPARE_LESSTHAN" -> new Range(Long.MIN_VALUE, v == Long.MIN_VALUE ? v : v - 1);
        case "COMPARE_LESSTHANOREQUALTO" -> new Range(Long.MIN_VALUE, v);
        case "COMPARE_GREATERTHAN" -> new Range(v == Long.MAX_VALUE ? v : v + 1, Long.MAX_VALUE);
        default -> new Range(v, Long.MAX_VALUE);
      };
    }

    private static boolean isBlockNum(JsonNode e) {
      if (!e.path("class").asText("").equals("COLUMN_REF")) {
        return false;
      }
      JsonNode names = e.path("column_names");
      return names.size() >= 1
          && names.size() <= 2
          && names.get(names.size() - 1).asText("").equalsIgnoreCase("block_num");
    }

    /** An integer constant, possibly cast; null for anything else. */
    private static Long constant(JsonNode e) {
      JsonNode v = e;
      if (v.path("class").asText("").equals("CAST") && !v.path("try_cast").asBoolean(false)) {
        v = v.path("child");
      }
      if (!v.path("class").asText("").equals("CONSTANT")) {
        return null;
      }
      JsonNode literal = v.path("literal");
      String kind = literal.path("kind").asText("");
      if (!kind.equals("INTEGER") && !kind.equals("BIGINT") && !kind.equals("HUGEINT")) {
        JsonNode value = v.path("value");
        if (value.isObject()) {
          String id = value.path("type").path("id").asText("");
          if (id.equals("INTEGER") || id.equals("BIGINT")) {
            return value.path("value").isIntegralNumber() ? value.path("value").asLong() : null;
          }
        }
        return null;
      }
      try {
        return Long.parseLong(literal.path("text").asText(""));
      } catch (NumberFormatException e2) {
        return null;
      }
    }

    /** The table of {@code tables} that {@code column} belongs to, or null when unsure. */
    private static JsonNode owner(JsonNode column, List<JsonNode> tables, boolean other) {
      JsonNode names = column.path("column_names");
      if (names.size() == 1) {
        return tables.size() == 1 && !other ? tables.get(0) : null;
      }
      String qualifier = names.get(0).asText("");
      JsonNode found = null;
      for (JsonNode t : tables) {
        String alias = t.path("alias").asText("");
        String binding = alias.isEmpty() ? t.path("table_name").asText("") : alias;
        if (binding.equalsIgnoreCase(qualifier)) {
          if (found != null) {
            return null;
          }
          found = t;
        }
      }
      return found;
    }
  }
}
