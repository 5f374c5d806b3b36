package io.ampd.server;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The query DuckDB runs for a JSON Lines answer: the user's query wrapped so that each row comes
 * out as one JSON object text, encoded in DuckDB's threads. Values as documented in TABLES.md:
 *
 * <ul>
 *   <li>bytes ({@code BLOB}: hashes, addresses, call data) as lowercase {@code "0x…"} hex;
 *   <li>{@code DECIMAL} as a string of its exact digits ({@code "1000000000000000000"});
 *   <li>64- and 128-bit integers as numbers while they are within ±(2^53 − 1), which JavaScript
 *       represents exactly, and as strings of their digits beyond;
 *   <li>timestamps as RFC 3339 in UTC with milliseconds, as JavaScript's {@code toISOString()}
 *       ({@code "2024-01-01T00:00:00.000Z"}; without a zone: no {@code Z});
 *   <li>everything else as DuckDB's {@code to_json} gives it (numbers, strings, booleans, null,
 *       lists and structs as JSON arrays and objects).
 * </ul>
 */
final class JsonLinesSql {
  /** The largest integer JavaScript holds exactly. */
  static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

  private JsonLinesSql() {}

  /** {@code sql} (one query, no final semicolon) producing one JSON text per row. */
  static String wrap(String sql, ResultSetMetaData columns) throws SQLException {
    int n = columns.getColumnCount();
    StringBuilder object = new StringBuilder("json_object(");
    StringBuilder names = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      String c = "c" + i;
      if (i > 1) {
        object.append(", ");
        names.append(", ");
      }
      names.append(c);
      object.append(QueryEngine.literal(columns.getColumnLabel(i))).append(", ");
      object.append(value(c, columns.getColumnTypeName(i)));
    }
    object.append(")");
    // Each value ends with its newline: a batch's text is its lines, end to end.
    return "SELECT CAST("
        + object
        + " AS VARCHAR) || chr(10) AS line FROM (\n"
        + sql
        + "\n) AS q("
        + names
        + ")";
  }

  /** The JSON value of column {@code c} of DuckDB type {@code type}. */
  static String value(String c, String type) {
    String t = type.toUpperCase(Locale.ROOT);
    if (t.equals("BLOB")) {
      return "'0x' || lower(hex(" + c + "))";
    }
    if (t.startsWith("DECIMAL")) {
      return "CAST(" + c + " AS VARCHAR)";
    }
    if (t.equals("BIGINT") || t.equals("UBIGINT") || t.equals("HUGEINT") || t.equals("UHUGEINT")) {
      return "CASE WHEN "
          + c
          + " BETWEEN -"
          + MAX_SAFE_INTEGER
          + " AND "
          + MAX_SAFE_INTEGER
          + " THEN to_json("
          + c
          + ") ELSE to_json(CAST("
          + c
          + " AS VARCHAR)) END";
    }
    if (t.equals("TIMESTAMP WITH TIME ZONE")) {
      return "strftime(" + c + ", '%Y-%m-%dT%H:%M:%S.%gZ')";
    }
    if (t.startsWith("TIMESTAMP")) {
      return "strftime(CAST(" + c + " AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g')";
    }
    return c;
  }
}
