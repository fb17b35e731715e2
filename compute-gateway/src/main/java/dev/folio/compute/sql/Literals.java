package dev.folio.compute.sql;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Simple-protocol text with its literal values taken out as parameters, so that queries which
 * differ only in their values share one cached plan, as prepared statements do. A literal becomes
 * {@code ?} only where a value is compared or computed with: after a comparison or arithmetic
 * operator, after BETWEEN and its AND, and in an IN list. Everywhere else (select lists,
 * ORDER BY and GROUP BY positions, LIMIT, function arguments, typed literals such as
 * {@code DATE '…'}, literals cast with {@code ::}) it stays, since a parameter there could change
 * the meaning or cannot be typed. A unary minus goes with its number.
 *
 * <p>Hand-written: a lexical pass is what makes the cache pay, since parsing costs more than
 * running a cached point query; Calcite's parser would have to run first.
 */
final class Literals {
  private Literals() {}

  /** The text with {@code ?} for each literal taken out, and the literals' values in order. */
  record Normalized(String sql, List<String> values) {}

  private static final Set<String> VALUE_AFTER = Set.of("=", "<", ">", "<=", ">=", "<>", "!=", "+", "-", "*", "/",
      "%", "between");
  private static final Set<String> TYPED = Set.of("date", "time", "timestamp", "interval");

  static Normalized normalize(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    List<String> values = new ArrayList<>();
    String previous = "";
    String beforePrevious = "";
    boolean between = false;
    // For each open parenthesis: whether it opened an IN list.
    Deque<Boolean> parens = new ArrayDeque<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        out.append(c);
        i++;
        continue;
      }
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        out.append(sql, i, end);
        i = end;
        continue;
      }
      if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        out.append(sql, i, end);
        i = end;
        continue;
      }
      String token;
      int end;
      boolean literal = false;
      String value = null;
      if (c == '\'') {
        StringBuilder v = new StringBuilder();
        end = i + 1;
        while (end < n) {
          if (sql.charAt(end) == '\'') {
            if (end + 1 < n && sql.charAt(end + 1) == '\'') {
              v.append('\'');
              end += 2;
              continue;
            }
            break;
          }
          v.append(sql.charAt(end++));
        }
        end = Math.min(end + 1, n);
        token = sql.substring(i, end);
        literal = !TYPED.contains(previous) && !previous.equals("e") && !previous.equals("x") && !previous.equals("b");
        value = v.toString();
      } else if (c == '"') {
        end = sql.indexOf('"', i + 1);
        end = end < 0 ? n : end + 1;
        token = sql.substring(i, end);
      } else if (Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
        end = i;
        while (end < n && (Character.isDigit(sql.charAt(end)) || sql.charAt(end) == '.')) {
          end++;
        }
        if (end < n && (sql.charAt(end) == 'e' || sql.charAt(end) == 'E')) {
          int e = end + 1;
          if (e < n && (sql.charAt(e) == '+' || sql.charAt(e) == '-')) {
            e++;
          }
          if (e < n && Character.isDigit(sql.charAt(e))) {
            end = e;
            while (end < n && Character.isDigit(sql.charAt(end))) {
              end++;
            }
          }
        }
        token = sql.substring(i, end);
        literal = true;
        value = token;
      } else if (Character.isLetter(c) || c == '_' || c == '$') {
        end = i;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'
            || sql.charAt(end) == '$')) {
          end++;
        }
        token = sql.substring(i, end);
      } else {
        end = i + 1;
        if (end < n && "<>=!:".indexOf(c) >= 0 && "=>:".indexOf(sql.charAt(end)) >= 0) {
          end++;
        }
        token = sql.substring(i, end);
      }
      String lower = token.toLowerCase(Locale.ROOT);
      boolean castAfter = sql.startsWith("::", skipSpaces(sql, end));
      if (literal && !castAfter && valuePosition(previous, parens)) {
        if (previous.equals("-") && c != '\'' && (beforePrevious.isEmpty() || valuePosition(beforePrevious, parens))) {
          // "= -5": the minus belongs to the number.
          int minus = out.lastIndexOf("-");
          out.setLength(minus);
          value = "-" + value;
        }
        out.append('?');
        values.add(value);
      } else {
        out.append(token);
      }
      if (lower.equals("between")) {
        between = true;
      } else if (lower.equals("and") && between && previous.length() > 0) {
        between = false;
        lower = "between-and";
      }
      if (token.equals("(")) {
        parens.push(previous.equals("in"));
      } else if (token.equals(")") && !parens.isEmpty()) {
        parens.pop();
      }
      beforePrevious = previous;
      previous = lower;
      i = end;
    }
    return new Normalized(out.toString(), List.copyOf(values));
  }

  /** Whether a value after this token is compared or computed with. */
  private static boolean valuePosition(String previous, Deque<Boolean> parens) {
    if (VALUE_AFTER.contains(previous) || previous.equals("between-and")) {
      return true;
    }
    return (previous.equals("(") || previous.equals(",")) && !parens.isEmpty() && parens.peek();
  }

  private static int skipSpaces(String s, int at) {
    while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
      at++;
    }
    return at;
  }
}
