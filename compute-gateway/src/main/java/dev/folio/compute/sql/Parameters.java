package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import java.util.List;

/**
 * Puts the values of {@code $1…$n} into the statement text as literals (outside string literals
 * and quoted names), the way a client that sends simple queries would: numbers as they are,
 * everything else as a quoted string, NULL as NULL. Until a plan cache exists there is nothing to
 * gain from binding later, and Calcite's Babel parser reads {@code $1} as a name.
 */
final class Parameters {
  private Parameters() {}

  static String bind(String sql, List<String> values) {
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        int end = i + 1;
        while (end < sql.length() && (sql.charAt(end) != c || (end + 1 < sql.length() && sql.charAt(end + 1) == c
            && ++end > 0))) {
          end++;
        }
        out.append(sql, i, Math.min(end + 1, sql.length()));
        i = end + 1;
      } else if (c == '$' && i + 1 < sql.length() && Character.isDigit(sql.charAt(i + 1))) {
        int end = i + 1;
        while (end < sql.length() && Character.isDigit(sql.charAt(end))) {
          end++;
        }
        int n = Integer.parseInt(sql.substring(i + 1, end));
        if (n < 1 || n > values.size()) {
          throw new PgException("42P02", "there is no parameter $" + n);
        }
        out.append(literal(values.get(n - 1)));
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The statement with every parameter NULL: enough to learn its result columns. */
  static String bindNulls(String sql, int count) {
    return bind(sql, java.util.Collections.nCopies(Math.max(count, 64), null));
  }

  private static String literal(String v) {
    if (v == null) {
      return "NULL";
    }
    if (v.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
      return v;
    }
    return "'" + v.replace("'", "''") + "'";
  }
}
