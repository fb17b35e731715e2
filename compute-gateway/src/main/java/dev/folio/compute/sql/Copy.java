package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code COPY … FROM STDIN}: the statement, and its data in PostgreSQL's text and CSV formats.
 * Hand-written: Calcite has no COPY, and the two formats are small and exactly specified.
 *
 * <pre>
 *   COPY table [(column, …)] FROM STDIN [[WITH] (option [, …])]          option: FORMAT text|csv,
 *        DELIMITER 'c', NULL 's', HEADER [bool], QUOTE 'c', ESCAPE 'c', FREEZE [bool], ENCODING 'utf8'
 *   COPY table [(column, …)] FROM STDIN [WITH] [DELIMITER [AS] 'c'] [NULL [AS] 's'] [CSV [HEADER] …]
 *
 * text   one row per line, columns split by the delimiter (tab), \N for NULL, backslash escapes
 *        (\b \f \n \r \t \v \\, \digits octal, \xHH), a line \. ends the data
 * csv    columns split by the delimiter (,), "quoted" fields with "" for a quote and any character
 *        inside, NULL as an unquoted empty field, an optional header line
 * </pre>
 */
final class Copy {
  private Copy() {}

  /** A parsed COPY FROM STDIN: the table, the columns named (empty: all), and how the data is written. */
  record Statement(String table, List<String> columns, Format format) {}

  /** How rows are written: CSV or text, the delimiter, the NULL marker, CSV's header, quote and escape. */
  record Format(boolean csv, char delimiter, String nullMarker, boolean header, char quote, char escape) {}

  private static final Pattern COPY = Pattern.compile(
      "(?is)copy\\s+(\"[^\"]+\"|[a-z_][a-z0-9_$.]*)\\s*(?:\\(([^)]*)\\))?\\s+(from|to)\\s+(\\S+)\\s*(.*)");
  private static final Pattern OPTION = Pattern.compile(
      "(?is)\\s*([a-z_]+)(?:\\s+('(?:[^']|'')*'|[a-z0-9_]+))?\\s*");

  static boolean isCopy(String sql) {
    return sql.strip().regionMatches(true, 0, "copy", 0, 4)
        && (sql.strip().length() == 4 || !Character.isLetterOrDigit(sql.strip().charAt(4)));
  }

  static Statement parse(String sql) {
    Matcher m = COPY.matcher(sql.strip());
    if (!m.matches()) {
      throw new PgException("42601", "syntax error in COPY: " + sql.strip());
    }
    if (!m.group(3).equalsIgnoreCase("from") || !m.group(4).equalsIgnoreCase("stdin")) {
      throw new PgException("0A000", "only COPY … FROM STDIN is supported");
    }
    List<String> columns = new ArrayList<>();
    if (m.group(2) != null) {
      for (String c : m.group(2).split(",")) {
        columns.add(Ddl.identifier(c.strip()));
      }
    }
    return new Statement(Ddl.identifier(m.group(1)), columns, format(m.group(5).strip()));
  }

  private static Format format(String options) {
    String o = options.replaceFirst("(?is)^with\\b\\s*", "");
    boolean csv = false;
    Character delimiter = null;
    String nullMarker = null;
    boolean header = false;
    char quote = '"';
    Character escape = null;
    if (o.startsWith("(")) {
      if (!o.endsWith(")")) {
        throw new PgException("42601", "syntax error in COPY options: " + options);
      }
      for (String option : splitOptions(o.substring(1, o.length() - 1))) {
        Matcher m = OPTION.matcher(option);
        if (!m.matches()) {
          throw new PgException("42601", "syntax error in COPY option: " + option.strip());
        }
        String name = m.group(1).toLowerCase(Locale.ROOT);
        String value = m.group(2) == null ? null : unquote(m.group(2));
        switch (name) {
          case "format" -> {
            String f = value == null ? "" : value.toLowerCase(Locale.ROOT);
            if (f.equals("binary")) {
              throw new PgException("0A000", "COPY in binary format is not supported");
            }
            if (!f.equals("csv") && !f.equals("text")) {
              throw new PgException("22023", "COPY format \"" + value + "\" not recognized");
            }
            csv = f.equals("csv");
          }
          case "delimiter" -> delimiter = single(name, value);
          case "null" -> nullMarker = value;
          case "header" -> header = value == null || isTrue(value);
          case "quote" -> quote = single(name, value);
          case "escape" -> escape = single(name, value);
          case "freeze", "encoding" -> {
            if (name.equals("encoding") && value != null && !value.replace("-", "").equalsIgnoreCase("utf8")) {
              throw new PgException("0A000", "COPY encoding \"" + value + "\" is not supported: Folio speaks UTF8");
            }
          }
          default -> throw new PgException("42601", "option \"" + name + "\" not recognized");
        }
      }
    } else {
      Matcher m = Pattern.compile("(?is)(binary\\b)?\\s*(?:delimiter\\s+(?:as\\s+)?('(?:[^']|'')*')\\s*)?"
          + "(?:null\\s+(?:as\\s+)?('(?:[^']|'')*')\\s*)?(csv\\b\\s*(header\\b)?.*)?").matcher(o);
      if (!m.matches()) {
        throw new PgException("42601", "syntax error in COPY options: " + options);
      }
      if (m.group(1) != null) {
        throw new PgException("0A000", "COPY in binary format is not supported");
      }
      delimiter = m.group(2) == null ? null : single("delimiter", unquote(m.group(2)));
      nullMarker = m.group(3) == null ? null : unquote(m.group(3));
      csv = m.group(4) != null;
      header = m.group(5) != null;
    }
    char d = delimiter != null ? delimiter : csv ? ',' : '\t';
    return new Format(csv, d, nullMarker != null ? nullMarker : csv ? "" : "\\N", header, quote,
        escape != null ? escape : quote);
  }

  private static List<String> splitOptions(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (char c : s.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        out.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString());
    }
    return out;
  }

  private static boolean isTrue(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "on", "1", "yes" -> true;
      case "false", "off", "0", "no" -> false;
      default -> throw new PgException("22023", "invalid boolean value \"" + v + "\"");
    };
  }

  private static char single(String option, String value) {
    if (value == null || value.length() != 1) {
      throw new PgException("22023", "COPY " + option + " must be a single one-byte character");
    }
    return value.charAt(0);
  }

  private static String unquote(String v) {
    return v.startsWith("'") && v.endsWith("'") && v.length() >= 2 ? v.substring(1, v.length() - 1).replace("''", "'")
        : v;
  }

  /** The rows of COPY data, each a list of fields (null for NULL). */
  static List<String[]> rows(String data, Format format) {
    List<String[]> rows = format.csv() ? csv(data, format) : text(data, format);
    if (format.header() && !rows.isEmpty()) {
      rows.remove(0);
    }
    return rows;
  }

  private static List<String[]> text(String data, Format format) {
    List<String[]> rows = new ArrayList<>();
    int start = 0;
    while (start < data.length()) {
      int end = data.indexOf('\n', start);
      if (end < 0) {
        end = data.length();
      }
      String line = data.substring(start, end);
      start = end + 1;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.equals("\\.")) {
        break;
      }
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      StringBuilder written = new StringBuilder();
      for (int i = 0; i <= line.length(); i++) {
        if (i == line.length() || line.charAt(i) == format.delimiter()) {
          fields.add(written.toString().equals(format.nullMarker()) ? null : field.toString());
          field.setLength(0);
          written.setLength(0);
          continue;
        }
        char c = line.charAt(i);
        written.append(c);
        if (c != '\\' || i + 1 == line.length()) {
          field.append(c);
          continue;
        }
        char n = line.charAt(++i);
        written.append(n);
        switch (n) {
          case 'b' -> field.append('\b');
          case 'f' -> field.append('\f');
          case 'n' -> field.append('\n');
          case 'r' -> field.append('\r');
          case 't' -> field.append('\t');
          case 'v' -> field.append('\u000b');
          case 'x' -> {
            int j = i + 1;
            while (j < line.length() && j < i + 3 && Character.digit(line.charAt(j), 16) >= 0) {
              j++;
            }
            if (j == i + 1) {
              field.append('x');
            } else {
              field.append((char) Integer.parseInt(line.substring(i + 1, j), 16));
              written.append(line, i + 1, j);
              i = j - 1;
            }
          }
          default -> {
            if (n >= '0' && n <= '7') {
              int j = i;
              while (j < line.length() && j < i + 3 && line.charAt(j) >= '0' && line.charAt(j) <= '7') {
                j++;
              }
              field.append((char) Integer.parseInt(line.substring(i, j), 8));
              written.append(line, i + 1, j);
              i = j - 1;
            } else {
              field.append(n);
            }
          }
        }
      }
      rows.add(fields.toArray(new String[0]));
    }
    return rows;
  }

  private static List<String[]> csv(String data, Format format) {
    List<String[]> rows = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    int n = data.length();
    for (int i = 0; i <= n; i++) {
      char c = i < n ? data.charAt(i) : '\n';
      if (quoted) {
        if (i == n) {
          throw new PgException("22P04", "unterminated CSV quoted field");
        }
        char next = i + 1 < n ? data.charAt(i + 1) : 0;
        if (c == format.escape() && (next == format.quote() || next == format.escape() && format.escape() != format.quote())) {
          field.append(next);
          i++;
        } else if (c == format.quote()) {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == format.quote()) {
        quoted = true;
        wasQuoted = true;
      } else if (c == format.delimiter() || c == '\n' || c == '\r') {
        boolean blankLine = c != format.delimiter() && fields.isEmpty() && field.length() == 0 && !wasQuoted;
        if (!blankLine) {
          fields.add(!wasQuoted && field.toString().equals(format.nullMarker()) ? null : field.toString());
        }
        field.setLength(0);
        wasQuoted = false;
        if (c != format.delimiter()) {
          if (fields.size() == 1 && "\\.".equals(fields.get(0))) {
            break;
          }
          if (!blankLine) {
            rows.add(fields.toArray(new String[0]));
          }
          fields = new ArrayList<>();
          if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') {
            i++;
          }
        }
      } else {
        field.append(c);
      }
    }
    return rows;
  }
}
