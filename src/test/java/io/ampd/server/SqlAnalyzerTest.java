package io.ampd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.server.QueryException.Kind;
import io.ampd.server.SqlAnalyzer.Analysis;
import io.ampd.server.SqlAnalyzer.Range;
import io.ampd.server.SqlAnalyzer.TableRef;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the analyzer finds in a query, with DuckDB's own parser: tables, spans, block ranges. */
class SqlAnalyzerTest {
  private static Connection duck;

  @BeforeAll
  static void open() throws SQLException {
    duck = DriverManager.getConnection("jdbc:duckdb:");
  }

  @AfterAll
  static void close() throws SQLException {
    duck.close();
  }

  private static Analysis analyze(String sql) {
    return SqlAnalyzer.analyze(duck, sql);
  }

  private static Range range(String sql) {
    List<TableRef> tables = analyze(sql).tables();
    assertEquals(1, tables.size(), sql);
    return tables.get(0).range();
  }

  private static QueryException refused(String sql) {
    return assertThrows(QueryException.class, () -> analyze(sql), sql);
  }

  @Test
  void findsDatasetTablesWithTheirNamesInTheText() {
    String sql =
        "SELECT * FROM \"example/mainnet@1.0.0\".blocks b JOIN mainnet . logs USING (block_num),"
            + " \"é/x\".transactions";
    Analysis a = analyze(sql);
    assertEquals(3, a.tables().size());
    byte[] utf8 = sql.getBytes(StandardCharsets.UTF_8);
    List<String> names =
        a.tables().stream()
            .map(t -> new String(utf8, t.start(), t.nameEnd() - t.start(), StandardCharsets.UTF_8))
            .toList();
    assertEquals(
        List.of("\"example/mainnet@1.0.0\".blocks", "mainnet . logs", "\"é/x\".transactions"),
        names);
    assertEquals("b", a.tables().get(0).alias());
    assertEquals("", a.tables().get(1).alias());
  }

  @Test
  void commonTableExpressionsAreNotDatasets() {
    Analysis a = analyze("WITH recent AS (SELECT * FROM \"x\".blocks) SELECT count(*) FROM recent");
    assertEquals(1, a.tables().size());
    assertEquals("x", a.tables().get(0).schema());
  }

  @Test
  void blockRangesComeFromConjunctsOfTheWhere() {
    String b = "\"x\".blocks";
    assertEquals(new Range(5, 5), range("SELECT * FROM " + b + " WHERE block_num = 5"));
    assertEquals(
        new Range(10, 20), range("SELECT * FROM " + b + " WHERE block_num BETWEEN 10 AND 20"));
    assertEquals(
        new Range(11, 19),
        range("SELECT * FROM " + b + " t WHERE t.block_num > 10 AND 20 > t.block_num"));
    assertEquals(
        new Range(3, 9), range("SELECT * FROM " + b + " WHERE block_num IN (9, 3, 4) AND x = 1"));
    assertEquals(
        new Range(100, 150),
        range(
            "SELECT * FROM "
                + b
                + " WHERE block_num >= 100::BIGINT AND block_num <= 200 AND block_num < 151"));
    // not a conjunct of constants: the table stays open
    assertEquals(
        Range.ALL, range("SELECT * FROM " + b + " WHERE block_num = 5 OR block_num = 6000"));
    assertEquals(Range.ALL, range("SELECT * FROM " + b + " WHERE block_num > gas_used"));
    assertEquals(new Range(-5, -5), range("SELECT * FROM " + b + " WHERE block_num = -5"));
    assertEquals(Range.ALL, range("SELECT * FROM " + b + " WHERE NOT block_num = 5"));
  }

  @Test
  void rangesFollowTheirTableInJoinsAndSubqueries() {
    Analysis a =
        analyze(
            "SELECT * FROM \"x\".logs l JOIN \"x\".transactions t ON t.tx_hash = l.tx_hash"
                + " WHERE l.block_num BETWEEN 1 AND 2 AND t.block_num > 7");
    assertEquals(new Range(1, 2), a.tables().get(0).range());
    assertEquals(new Range(8, Long.MAX_VALUE), a.tables().get(1).range());
    // unqualified block_num beside two tables could be either: no range
    Analysis both =
        analyze("SELECT * FROM \"x\".logs JOIN \"x\".blocks USING (block_num) WHERE block_num = 3");
    assertEquals(Range.ALL, both.tables().get(0).range());
    assertEquals(Range.ALL, both.tables().get(1).range());
    // the WHERE of an outer query does not confine the table of a subquery
    Analysis sub =
        analyze(
            "SELECT * FROM (SELECT block_num + 1 AS block_num FROM \"x\".blocks) s"
                + " WHERE block_num = 3");
    assertEquals(Range.ALL, sub.tables().get(0).range());
    // a subquery's own WHERE does
    Analysis inner =
        analyze(
            "SELECT (SELECT max(gas_used) FROM \"x\".blocks WHERE block_num = 9) AS g FROM"
                + " \"x\".logs");
    assertEquals("blocks", inner.tables().get(0).table()); // in text order
    assertEquals(new Range(9, 9), inner.tables().get(0).range());
    assertEquals(Range.ALL, inner.tables().get(1).range());
  }

  @Test
  void refusesEverythingButOneQuery() {
    for (String sql :
        List.of(
            "CREATE TABLE t AS SELECT 1",
            "INSERT INTO t VALUES (1)",
            "UPDATE t SET a = 1",
            "DELETE FROM t",
            "DROP TABLE t",
            "COPY (SELECT 1) TO '/tmp/out.csv'",
            "COPY t FROM '/etc/passwd'",
            "ATTACH '/tmp/x.db' AS x",
            "DETACH x",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET threads = 1",
            "RESET threads",
            "PRAGMA version",
            "CALL pragma_version()",
            "EXPLAIN SELECT 1",
            "EXPORT DATABASE '/tmp/db'",
            "CHECKPOINT",
            "BEGIN TRANSACTION",
            "VACUUM",
            "CREATE MACRO m(a) AS a",
            "USE memory",
            "SELECT 1; SELECT 2",
            "SELECT 1; DROP TABLE t")) {
      QueryException e = refused(sql);
      assertEquals(Kind.INVALID_QUERY, e.kind(), sql + ": " + e.getMessage());
    }
    assertTrue(refused("COPY (SELECT 1) TO '/tmp/x'").getMessage().startsWith("a COPY statement"));
    assertTrue(refused("INSERT INTO t VALUES (1)").getMessage().startsWith("an INSERT statement"));
  }

  @Test
  void refusesFilesFunctionsAndOtherCatalogs() {
    for (String sql :
        List.of(
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_parquet('/root/x.parquet')",
            "SELECT * FROM glob('/*')",
            "SELECT * FROM read_text('/etc/passwd')",
            "SELECT * FROM read_blob('/etc/passwd')",
            "SELECT * FROM query('SELECT 1')",
            "SELECT * FROM duckdb_settings()",
            "SELECT * FROM parquet_metadata('/x.parquet')",
            "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x",
            "SELECT (SELECT count(*) FROM read_text('/etc/passwd'))",
            "SELECT * FROM \"x\".blocks, read_json('/etc/passwd')",
            "SELECT * FROM system.main.duckdb_settings()",
            "SELECT * FROM memory.main.t",
            "DESCRIBE SELECT 1",
            "SUMMARIZE SELECT 1",
            "SELECT * FROM \"x\".blocks AT (VERSION => 1)",
            "SELECT ?",
            "SELECT $1")) {
      QueryException e = refused(sql);
      assertEquals(Kind.INVALID_QUERY, e.kind(), sql + ": " + e.getMessage());
    }
    QueryException file = refused("SELECT * FROM '/etc/passwd'");
    assertEquals(Kind.TABLE_NOT_FOUND, file.kind());
    QueryException bare = refused("SELECT * FROM blocks");
    assertEquals(Kind.TABLE_NOT_FOUND, bare.kind());
    // table functions that read no file are fine
    assertEquals(0, analyze("SELECT * FROM range(10), generate_series(1, 3)").tables().size());
  }

  @Test
  void parseErrorsSayWhere() {
    QueryException e = refused("SELECT 1\nFORM x");
    assertEquals(Kind.SQL_PARSE_ERROR, e.kind());
    assertEquals("syntax error at or near \"x\" at line 2, column 6", e.getMessage());
    assertEquals(Kind.INVALID_SQL_STRING, refused("  \n ").kind());
    assertEquals(Kind.INVALID_SQL_STRING, refused("-- nothing").kind());
    assertEquals(
        Kind.STREAMING_NOT_SUPPORTED,
        refused("SELECT * FROM \"x\".blocks SETTINGS stream = true").kind());
  }

  @Test
  void finalSemicolonsAndCommentsGo() {
    assertEquals("SELECT 1", SqlWords.withoutFinalSemicolon("SELECT 1; -- done"));
    assertEquals("SELECT ';'", SqlWords.withoutFinalSemicolon("SELECT ';'"));
    assertEquals("SELECT 1 ", SqlWords.withoutFinalSemicolon("SELECT 1 ;\n"));
    assertEquals("SELECT 1 -- x", SqlWords.withoutFinalSemicolon("SELECT 1 -- x"));
  }
}
