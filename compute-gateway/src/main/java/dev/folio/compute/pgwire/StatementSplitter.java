package dev.folio.compute.pgwire;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a simple-protocol query string into statements at semicolons outside string literals
 * ('…' with '' inside), quoted identifiers ("…"), dollar quotes ($tag$…$tag$) and comments
 * (-- and nested /* *&#47;), as psql and the server do. Empty statements are dropped.
 */
final class StatementSplitter {
  private StatementSplitter() {}

  static List<String> split(String sql) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        i = closing(sql, i + 1, c);
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int depth = 1;
        i += 2;
        while (i < n && depth > 0) {
          if (sql.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (sql.startsWith("*/", i)) {
            depth--;
            i += 2;
          } else {
            i++;
          }
        }
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int end = sql.indexOf(tag, i + tag.length());
        i = end < 0 ? n : end + tag.length();
      } else if (c == ';') {
        add(out, sql.substring(start, i));
        start = ++i;
      } else {
        i++;
      }
    }
    add(out, sql.substring(start));
    return out;
  }

  private static int closing(String sql, int i, char quote) {
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return i;
  }

  /** {@code $tag$} starting at {@code i}, or null if that is not a dollar quote (e.g. {@code $1}). */
  private static String dollarTag(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_'
        || (j > i + 1 && Character.isDigit(sql.charAt(j))))) {
      j++;
    }
    return j < sql.length() && sql.charAt(j) == '$' ? sql.substring(i, j + 1) : null;
  }

  private static void add(List<String> out, String statement) {
    if (!statement.strip().isEmpty() && !onlyComments(statement)) {
      out.add(statement.strip());
    }
  }

  private static boolean onlyComments(String s) {
    String t = s.strip();
    while (!t.isEmpty()) {
      if (t.startsWith("--")) {
        int eol = t.indexOf('\n');
        t = eol < 0 ? "" : t.substring(eol + 1).strip();
      } else if (t.startsWith("/*")) {
        int end = t.indexOf("*/");
        t = end < 0 ? "" : t.substring(end + 2).strip();
      } else {
        return false;
      }
    }
    return true;
  }
}
