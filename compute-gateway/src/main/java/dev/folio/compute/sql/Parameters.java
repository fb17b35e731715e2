package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import java.util.List;

/**
 * PostgreSQL's parameters {@code $1…$n}, which Calcite's Babel parser reads as names, turned into
 * Calcite's {@code ?} (outside string literals and quoted names), with the order in which the
 * values go, so that a statement is planned once and run with any values.
 */
final class Parameters {
  private Parameters() {}

  /** The statement with {@code ?} for each {@code $n}, and which parameter each {@code ?} is. */
  record Placeholders(String sql, List<Integer> order) {
    /** The values in the order of the {@code ?}s. */
    List<String> values(List<String> parameters) {
      List<String> out = new java.util.ArrayList<>(order.size());
      for (int n : order) {
        if (n < 1 || n > parameters.size()) {
          throw new PgException("42P02", "there is no parameter $" + n);
        }
        out.add(parameters.get(n - 1));
      }
      return out;
    }
  }

  static Placeholders placeholders(String sql) {
    List<Integer> order = new java.util.ArrayList<>();
    String text = rewrite(sql, n -> {
      order.add(n);
      return "?";
    });
    return new Placeholders(text, List.copyOf(order));
  }

  /** Replaces each {@code $n} outside literals and quoted names with {@code replacement(n)}. */
  private static String rewrite(String sql, java.util.function.IntFunction<String> replacement) {
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
        out.append(replacement.apply(Integer.parseInt(sql.substring(i + 1, end))));
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
