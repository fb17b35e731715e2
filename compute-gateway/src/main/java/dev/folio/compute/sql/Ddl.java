package dev.folio.compute.sql;

import dev.folio.compute.pgwire.PgException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tables and indexes in PostgreSQL's syntax. Hand-parsed: Calcite's parsers reject column-level
 * and table-level PRIMARY KEY in the forms PostgreSQL accepts, {@code WITH (…)}, DROP TABLE,
 * CREATE INDEX and ALTER TABLE … ADD PRIMARY KEY (see STACK.md), and none of these needs planning.
 *
 * <pre>
 *   CREATE TABLE [IF NOT EXISTS] name ( column type [(n[,m])] [NOT NULL | NULL] [PRIMARY KEY], …
 *                                        [, [CONSTRAINT c] PRIMARY KEY (column, …)] ) [WITH (…)]
 *   DROP TABLE [IF EXISTS] name [, …] [CASCADE | RESTRICT]
 *   CREATE [UNIQUE] INDEX [[IF NOT EXISTS] name] ON table [USING btree] (column [ASC | DESC], …) [WITH (…)]
 *   DROP INDEX [IF EXISTS] name [, …] [CASCADE | RESTRICT]
 *   ALTER TABLE name ADD [CONSTRAINT c] PRIMARY KEY (column, …)
 *   TRUNCATE [TABLE] [ONLY] name [, …] [RESTART IDENTITY | CONTINUE IDENTITY] [CASCADE | RESTRICT]
 *   VACUUM [(options)] [FULL] [FREEZE] [VERBOSE] [ANALYZE] [name, …]      ANALYZE [VERBOSE] [name, …]
 * </pre>
 */
final class Ddl {
  private Ddl() {}

  record CreateTable(String name, boolean ifNotExists, List<TableDef.Column> columns) {}

  record DropTable(List<String> names, boolean ifExists) {}

  /** {@code name} is null when the statement names none: PostgreSQL's {@code table_column_idx} is used. */
  record CreateIndex(String name, boolean ifNotExists, boolean unique, String table, List<String> columns) {}

  record DropIndex(List<String> names, boolean ifExists) {}

  /** {@code constraint} is null when the statement names none: {@code table_pkey}. */
  record AddPrimaryKey(String table, String constraint, List<String> columns) {}

  record Truncate(List<String> names) {}

  /** VACUUM or ANALYZE ({@code tag}) of these tables, or of all when none is named. */
  record Maintenance(String tag, List<String> names) {}

  private static final Pattern TRUNCATE = Pattern.compile(
      "(?is)truncate\\s+(?:table\\s+)?(?:only\\s+)?(.+?)\\s*((restart|continue)\\s+identity\\s*)?(cascade|restrict)?\\s*");
  private static final Pattern MAINTENANCE = Pattern.compile(
      "(?is)(vacuum|analyze|analyse)\\s*(\\([^)]*\\))?\\s*((?:(?:full|freeze|verbose|analyze|analyse)\\s+)*)"
          + "((?:full|freeze|verbose|analyze|analyse)\\s*$)?(.*)");

  private static final Pattern CREATE_INDEX = Pattern.compile(
      "(?is)create\\s+(unique\\s+)?index\\s+(?:(if\\s+not\\s+exists\\s+)?(?!on\\s)(\"[^\"]+\"|[a-z_][a-z0-9_$]*)\\s+)?"
          + "on\\s+(?:only\\s+)?(\"[^\"]+\"|[a-z_][a-z0-9_$.]*)\\s*(?:using\\s+([a-z]+)\\s*)?\\((.*?)\\)\\s*"
          + "(with\\s*\\(.*\\))?\\s*(where\\s.*)?");
  private static final Pattern DROP_INDEX = Pattern.compile(
      "(?is)drop\\s+index\\s+(concurrently\\s+)?(if\\s+exists\\s+)?(.+?)\\s*(cascade|restrict)?\\s*");
  private static final Pattern ADD_KEY = Pattern.compile(
      "(?is)alter\\s+table\\s+(?:only\\s+)?(\"[^\"]+\"|[a-z_][a-z0-9_$.]*)\\s+add\\s+(?:constraint\\s+(\\S+)\\s+)?"
          + "primary\\s+key\\s*\\((.*)\\)\\s*");

  private static final Pattern CREATE = Pattern.compile(
      "(?is)create\\s+table\\s+(if\\s+not\\s+exists\\s+)?(\"[^\"]+\"|[a-z_][a-z0-9_$.]*)\\s*\\((.*)\\)\\s*(with\\s*\\(.*\\))?\\s*");
  private static final Pattern DROP = Pattern.compile(
      "(?is)drop\\s+table\\s+(if\\s+exists\\s+)?(.+?)\\s*(cascade|restrict)?\\s*");
  private static final Pattern COLUMN = Pattern.compile(
      "(?is)(\"[^\"]+\"|[a-z_][a-z0-9_]*)\\s+(double\\s+precision|character\\s+varying|"
          + "timestamp\\s+with(?:out)?\\s+time\\s+zone|[a-z][a-z0-9]*)\\s*(\\([0-9,\\s]+\\))?\\s*(.*)");
  private static final Pattern TABLE_KEY = Pattern.compile("(?is)(constraint\\s+\\S+\\s+)?primary\\s+key\\s*\\((.*)\\)");

  /** Checked on every statement: compiled once, matched at the start of the text only. */
  private static final Pattern DDL = Pattern.compile(
      "\\s*((create|drop)\\s+table|create\\s+(unique\\s+)?index|drop\\s+index|alter\\s+table|truncate|vacuum|analy[sz]e)\\b",
      Pattern.CASE_INSENSITIVE);

  static boolean isDdl(String sql) {
    return DDL.matcher(sql).lookingAt();
  }

  static Object parse(String sql) {
    Matcher t = TRUNCATE.matcher(sql.strip());
    if (t.matches()) {
      return new Truncate(names(t.group(1)));
    }
    Matcher v = MAINTENANCE.matcher(sql.strip());
    if (v.matches()) {
      String tables = v.group(5).strip();
      return new Maintenance(v.group(1).toLowerCase(Locale.ROOT).startsWith("vacuum") ? "VACUUM" : "ANALYZE",
          tables.isEmpty() ? List.of() : names(tables.replaceAll("\\([^)]*\\)", "")));
    }
    Matcher ci = CREATE_INDEX.matcher(sql.strip());
    if (ci.matches()) {
      return createIndex(ci);
    }
    Matcher di = DROP_INDEX.matcher(sql.strip());
    if (di.matches()) {
      return new DropIndex(names(di.group(3)), di.group(2) != null);
    }
    Matcher ak = ADD_KEY.matcher(sql.strip());
    if (ak.matches()) {
      return new AddPrimaryKey(identifier(ak.group(1)), ak.group(2) == null ? null : identifier(ak.group(2)),
          names(ak.group(3)));
    }
    if (sql.strip().toLowerCase(Locale.ROOT).startsWith("alter")) {
      throw new PgException("0A000", "only ALTER TABLE … ADD PRIMARY KEY is supported");
    }
    Matcher c = CREATE.matcher(sql.strip());
    if (c.matches()) {
      return create(c);
    }
    Matcher d = DROP.matcher(sql.strip());
    if (d.matches()) {
      return new DropTable(names(d.group(2)), d.group(1) != null);
    }
    throw new PgException("42601", "syntax error in: " + sql.strip());
  }

  private static List<String> names(String list) {
    List<String> names = new ArrayList<>();
    for (String n : list.split(",")) {
      names.add(identifier(n.strip()));
    }
    return names;
  }

  private static CreateIndex createIndex(Matcher m) {
    if (m.group(5) != null && !m.group(5).equalsIgnoreCase("btree")) {
      throw new PgException("0A000", "access method \"" + m.group(5) + "\" is not supported; use btree");
    }
    if (m.group(8) != null) {
      throw new PgException("0A000", "partial indexes are not supported");
    }
    List<String> columns = new ArrayList<>();
    for (String c : m.group(6).split(",")) {
      String column = c.strip().replaceAll("(?i)\\s+(asc|desc)(\\s+nulls\\s+(first|last))?$", "");
      if (!column.matches("(?s)\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*")) {
        throw new PgException("0A000", "indexes on expressions are not supported: " + c.strip());
      }
      columns.add(identifier(column));
    }
    return new CreateIndex(m.group(3) == null ? null : identifier(m.group(3)), m.group(2) != null,
        m.group(1) != null, identifier(m.group(4)), columns);
  }

  private static CreateTable create(Matcher c) {
    String name = identifier(c.group(2));
    List<String[]> columns = new ArrayList<>();
    Set<String> key = new LinkedHashSet<>();
    for (String element : splitTopLevel(c.group(3))) {
      Matcher k = TABLE_KEY.matcher(element.strip());
      if (k.matches()) {
        for (String col : k.group(2).split(",")) {
          key.add(identifier(col.strip()));
        }
        continue;
      }
      Matcher m = COLUMN.matcher(element.strip());
      if (!m.matches()) {
        throw new PgException("42601", "syntax error in the column definition \"" + element.strip() + "\"");
      }
      String rest = m.group(4).toLowerCase(Locale.ROOT);
      if (rest.matches("(?s).*\\bprimary\\s+key\\b.*")) {
        key.add(identifier(m.group(1)));
      }
      columns.add(new String[] {identifier(m.group(1)), m.group(2), rest, m.group(3)});
    }
    List<TableDef.Column> defs = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String[] col : columns) {
      if (!seen.add(col[0])) {
        throw new PgException("42701", "column \"" + col[0] + "\" specified more than once");
      }
      boolean primary = key.contains(col[0]);
      ColumnType.Declared type = ColumnType.named(col[1], col[3]);
      defs.add(new TableDef.Column(col[0], type.type(), type.modifier(),
          primary || col[2].matches("(?s).*\\bnot\\s+null\\b.*"), primary));
    }
    for (String k : key) {
      if (!seen.contains(k)) {
        throw new PgException("42703", "column \"" + k + "\" named in key does not exist");
      }
    }
    if (defs.isEmpty()) {
      throw new PgException("42601", "a table needs at least one column");
    }
    return new CreateTable(name, c.group(1) != null, List.copyOf(defs));
  }

  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (ch == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** Unquoted names fold to lower case; quoted ones keep theirs; a schema prefix public. is dropped. */
  static String identifier(String s) {
    String n = s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s.toLowerCase(Locale.ROOT);
    if (n.startsWith("public.")) {
      n = n.substring("public.".length());
    }
    if (n.isEmpty() || n.contains(" ") || n.contains(":") || n.contains(",") || n.startsWith("+")) {
      throw new PgException("42602", "invalid name \"" + s + "\"");
    }
    return n;
  }
}
