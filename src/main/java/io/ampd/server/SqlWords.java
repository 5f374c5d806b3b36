package io.ampd.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Small lexical helpers over SQL text: identifiers, comments, string literals, statements. */
final class SqlWords {
  /** First keywords of statements that are queries. */
  static final Set<String> QUERY_KEYWORDS =
      Set.of("SELECT", "WITH", "FROM", "VALUES", "TABLE", "(");

  private SqlWords() {}

  /**
   * The byte after {@code schema.table} written at {@code start} of {@code utf8} (each part quoted
   * or not, blanks around the dot), or -1 when the text there is not that.
   */
  static int qualifiedNameEnd(byte[] utf8, int start) {
    int i = identifierEnd(utf8, start);
    if (i < 0) {
      return -1;
    }
    i = skipBlanks(utf8, i);
    if (i >= utf8.length || utf8[i] != '.') {
      return -1;
    }
    i = skipBlanks(utf8, i + 1);
    return identifierEnd(utf8, i);
  }

  private static int skipBlanks(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
    return i;
  }

  private static int identifierEnd(byte[] b, int i) {
    if (i < 0 || i >= b.length) {
      return -1;
    }
    if (b[i] == '"') {
      int j = i + 1;
      while (j < b.length) {
        if (b[j] == '"') {
          if (j + 1 < b.length && b[j + 1] == '"') {
            j += 2;
            continue;
          }
          return j + 1;
        }
        j++;
      }
      return -1;
    }
    int j = i;
    while (j < b.length && identifierByte(b[j])) {
      j++;
    }
    return j > i ? j : -1;
  }

  private static boolean identifierByte(byte c) {
    return c < 0 // any non-ASCII byte of a UTF-8 character
        || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '$';
  }

  /** {@code name} as a quoted SQL identifier. */
  static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * The first keyword of each statement of {@code sql} (upper case; {@code (} for one that starts
   * with a parenthesis), skipping comments and string literals; statements split at {@code ;}.
   */
  static List<String> statementKeywords(String sql) {
    List<String> out = new ArrayList<>();
    boolean expectKeyword = true;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      int end = commentEnd(sql, i);
      if (end > i) {
        i = end;
      } else if ((end = literalEnd(sql, i)) > i) {
        i = end;
        expectKeyword = false;
      } else if (c == ';') {
        expectKeyword = true;
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (expectKeyword) {
        if (c == '(') {
          out.add("(");
          i++;
        } else {
          int j = i;
          while (j < n && Character.isLetter(sql.charAt(j))) {
            j++;
          }
          out.add(sql.substring(i, Math.max(j, i + 1)).toUpperCase(Locale.ROOT));
          i = Math.max(j, i + 1);
        }
        expectKeyword = false;
      } else {
        i++;
      }
    }
    return out;
  }

  /** {@code "a COPY"}, {@code "an INSERT"}. */
  static String article(String keyword) {
    return ("AEIOU".indexOf(keyword.charAt(0)) >= 0 ? "an " : "a ") + keyword;
  }

  /**
   * {@code sql} without a final {@code ;} (and what follows it: blanks and comments), so that it
   * can be wrapped in a subquery; unchanged when it has none.
   */
  static String withoutFinalSemicolon(String sql) {
    int lastSemicolon = -1;
    boolean after = false; // something significant after the last semicolon
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      int end = commentEnd(sql, i);
      if (end > i) {
        i = end;
      } else if ((end = literalEnd(sql, i)) > i) {
        i = end;
        after = true;
      } else if (c == ';') {
        lastSemicolon = i;
        after = false;
        i++;
      } else {
        if (!Character.isWhitespace(c)) {
          after = true;
        }
        i++;
      }
    }
    return lastSemicolon >= 0 && !after ? sql.substring(0, lastSemicolon) : sql;
  }

  /**
   * The index after the comment ({@code -- …} to the end of the line, or a block comment) that
   * starts at {@code i} of {@code sql}; {@code i} when none starts there.
   */
  private static int commentEnd(String sql, int i) {
    if (sql.startsWith("--", i)) {
      int end = sql.indexOf('\n', i + 2);
      return end < 0 ? sql.length() : end;
    }
    if (sql.startsWith("/*", i)) {
      int end = sql.indexOf("*/", i + 2);
      return end < 0 ? sql.length() : end + 2;
    }
    return i;
  }

  /**
   * The index after the string literal or quoted identifier that starts at {@code i} of {@code sql}
   * (a doubled quote inside reads as two literals, which these scans need not tell apart); {@code
   * i} when none starts there.
   */
  private static int literalEnd(String sql, int i) {
    char c = sql.charAt(i);
    if (c != '\'' && c != '"') {
      return i;
    }
    int end = sql.indexOf(c, i + 1);
    return end < 0 ? sql.length() : end + 1;
  }
}
