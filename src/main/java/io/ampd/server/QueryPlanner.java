package io.ampd.server;

import io.ampd.extract.ParquetSchemas;
import io.ampd.metadb.QuerySnapshot;
import io.ampd.metadb.QuerySnapshot.DatasetRequest;
import io.ampd.metadb.QuerySnapshot.TableFiles;
import io.ampd.metadb.QuerySnapshot.TableKey;
import io.ampd.registry.EvmTable;
import io.ampd.server.QueryException.Kind;
import io.ampd.server.SqlAnalyzer.Analysis;
import io.ampd.server.SqlAnalyzer.QualifiedColumn;
import io.ampd.server.SqlAnalyzer.Range;
import io.ampd.server.SqlAnalyzer.TableRef;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Turns an analyzed query and its snapshot into the SQL DuckDB runs: each dataset table reference
 * becomes {@code read_parquet([...])} over exactly the snapshot's files of that table that overlap
 * the reference's block range (in block order), or an empty relation of the table's columns when
 * there are none; everything else of the text stays as the user wrote it.
 */
final class QueryPlanner {
  private static final Map<String, String> EMPTY_TABLES = new ConcurrentHashMap<>();

  private QueryPlanner() {}

  /** What a query read: its SQL for DuckDB and, per table reference, the files it lists. */
  record Plan(String sql, QuerySnapshot snapshot, List<Read> reads) {}

  /** The files listed for one table reference. */
  record Read(TableKey table, Range range, int files, long rows) {}

  /** The dataset reference a schema names: {@code [namespace/]name[@revision]}. */
  static DatasetRequest dataset(String schema) {
    String rest = schema;
    String revision = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      revision = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String namespace = "_";
    String name = rest;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      namespace = rest.substring(0, slash);
      name = rest.substring(slash + 1);
    }
    if (namespace.isEmpty()
        || name.isEmpty()
        || name.contains("/")
        || (revision != null && (revision.isEmpty() || revision.contains("@")))) {
      throw new QueryException(
          Kind.TABLE_NOT_FOUND,
          "dataset \""
              + schema
              + "\" not found: a dataset is named [namespace/]name[@version], quoted when it holds"
              + " / or @, e.g. \"example/mainnet@1.0.0\".blocks");
    }
    return new DatasetRequest(namespace, name, revision);
  }

  /** The tables {@code analysis} names, each once. */
  static List<TableKey> tables(Analysis analysis) {
    LinkedHashSet<TableKey> out = new LinkedHashSet<>();
    for (TableRef t : analysis.tables()) {
      out.add(key(t));
    }
    return List.copyOf(out);
  }

  static TableKey key(TableRef t) {
    return new TableKey(dataset(t.schema()), t.table().toLowerCase(Locale.ROOT));
  }

  /** The SQL to run for {@code analysis} over {@code snapshot}'s files below {@code dataDir}. */
  static Plan plan(Analysis analysis, QuerySnapshot snapshot, Path dataDir) {
    byte[] in = analysis.utf8();
    List<Edit> edits = new ArrayList<>();
    List<Read> reads = new ArrayList<>();
    for (TableRef t : analysis.tables()) {
      TableKey key = key(t);
      TableFiles files = snapshot.tables().get(key);
      StringBuilder source = new StringBuilder();
      int count = 0;
      long rows = 0;
      if (files != null && files.revisionPath() != null) {
        Path dir = dataDir.resolve(files.revisionPath());
        for (QuerySnapshot.File f : files.files()) {
          if (!t.range().overlaps(f.blockStart(), f.blockEnd())) {
            continue;
          }
          source.append(count == 0 ? "read_parquet([" : ", ");
          source.append(QueryEngine.literal(dir.resolve(f.name()).toString()));
          count++;
          rows += f.rowCount();
        }
      }
      if (count > 0) {
        source.append("])");
      } else {
        source.append(emptyTable(key.table()));
      }
      if (t.alias().isEmpty()) {
        source.append(" AS ").append(SqlWords.quote(t.table()));
      }
      edits.add(new Edit(t.start(), t.nameEnd(), source.toString()));
      reads.add(new Read(key, t.range(), count, rows));
    }
    for (QualifiedColumn c : analysis.columns()) {
      for (TableRef t : analysis.tables()) {
        if (t.alias().isEmpty()
            && t.schema().equals(c.schema())
            && t.table().equalsIgnoreCase(c.table())) {
          edits.add(
              new Edit(
                  c.start(),
                  c.end(),
                  SqlWords.quote(t.table()) + "." + SqlWords.quote(c.column())));
          break;
        }
      }
    }
    edits.sort((a, b) -> Integer.compare(a.start, b.start));
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 256 * reads.size());
    int at = 0;
    for (Edit e : edits) {
      if (e.start < at) {
        continue; // inside an edit already made
      }
      out.write(in, at, e.start - at);
      out.writeBytes(e.text.getBytes(StandardCharsets.UTF_8));
      at = e.end;
    }
    out.write(in, at, in.length - at);
    return new Plan(out.toString(StandardCharsets.UTF_8), snapshot, List.copyOf(reads));
  }

  private record Edit(int start, int end, String text) {}

  /**
   * A relation with the table's columns and no row: {@code (SELECT CAST(NULL AS …) … WHERE false)}.
   */
  static String emptyTable(String table) {
    return EMPTY_TABLES.computeIfAbsent(
        table,
        name -> {
          MessageType schema = ParquetSchemas.of(EvmTable.valueOf(name.toUpperCase(Locale.ROOT)));
          StringBuilder sql = new StringBuilder("(SELECT ");
          List<Type> fields = schema.getFields();
          for (int i = 0; i < fields.size(); i++) {
            Type f = fields.get(i);
            sql.append(i == 0 ? "" : ", ")
                .append("CAST(NULL AS ")
                .append(duckType(f))
                .append(") AS ")
                .append(SqlWords.quote(f.getName()));
          }
          return sql.append(" WHERE false)").toString();
        });
  }

  /** The DuckDB type a Parquet field of ours reads as: a column, a list or a struct. */
  static String duckType(Type t) {
    if (t.isPrimitive()) {
      return duckType(t.asPrimitiveType());
    }
    GroupType g = t.asGroupType();
    if (g.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      return duckType(g.getType(0).asGroupType().getType(0)) + "[]";
    }
    StringBuilder out = new StringBuilder("STRUCT(");
    for (int i = 0; i < g.getFieldCount(); i++) {
      out.append(i == 0 ? "" : ", ")
          .append(SqlWords.quote(g.getType(i).getName()))
          .append(' ')
          .append(duckType(g.getType(i)));
    }
    return out.append(')').toString();
  }

  /** The DuckDB type a Parquet column of ours reads as. */
  static String duckType(PrimitiveType p) {
    LogicalTypeAnnotation logical = p.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned()) {
      return i.getBitWidth() == 64 ? "UBIGINT" : "UINTEGER";
    }
    if (logical instanceof DecimalLogicalTypeAnnotation d) {
      return "DECIMAL(" + d.getPrecision() + "," + d.getScale() + ")";
    }
    if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
      return ts.isAdjustedToUTC() ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP";
    }
    return switch (p.getPrimitiveTypeName()) {
      case INT32 -> "INTEGER";
      case INT64 -> "BIGINT";
      case BOOLEAN -> "BOOLEAN";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      default -> "BLOB";
    };
  }
}
