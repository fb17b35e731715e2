package dev.folio.compute.sql;

import dev.folio.compute.session.Column;
import dev.folio.compute.session.StatementResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalog queries psql 15 sends for {@code \l}, {@code \dt} (and {@code \d} with no name) and
 * {@code \d NAME}, recognized by their text and answered from Folio's catalog. They are written
 * against PostgreSQL's own catalogs (pg_class, pg_attribute, pg_index…), with operators,
 * collations, casts to regclass and functions (format_type, pg_get_indexdef…) that Folio's SQL does
 * not have; answering them here is what lets psql describe Folio's tables. Queries of catalogs in
 * which Folio has nothing (inheritance, policies, triggers, publications, extended statistics,
 * foreign keys) are answered with no rows, which is what they hold. Any other query goes to the
 * SQL engine, where {@link CatalogViews} has the most used relations of {@code pg_catalog}.
 */
final class PsqlCatalog {
  private static final Pattern NAME = Pattern.compile("c\\.relname OPERATOR\\(pg_catalog\\.~\\) '([^']*)'");
  private static final Pattern OID = Pattern.compile("(?:c\\.oid|a\\.attrelid) = '(\\d+)'");
  private static final Pattern RELKINDS = Pattern.compile("c\\.relkind IN \\(([^)]*)\\)");
  /** Catalogs that hold nothing of Folio's, as psql's \d queries reach them. */
  private static final List<String> EMPTY = List.of("pg_catalog.pg_statistic_ext", "pg_catalog.pg_publication",
      "pg_catalog.pg_inherits", "pg_catalog.pg_policy", "pg_catalog.pg_trigger", "pg_catalog.pg_rewrite",
      "pg_catalog.pg_partitioned_table");

  private PsqlCatalog() {}

  /** The answer to one of psql's catalog queries, or null if {@code sql} is not one. */
  /** {@code owner}: whom to show as the owner of databases and tables (Folio has no ownership). */
  static StatementResult answer(String sql, Map<String, Catalog.Entry> tables, List<String> databases, String owner) {
    if (!sql.contains("pg_catalog.")) {
      return null;
    }
    if (sql.contains("FROM pg_catalog.pg_database d")) {
      return databases(databases, owner);
    }
    if (sql.startsWith("SELECT n.nspname as \"Schema\",") && sql.contains("c.relkind IN (")) {
      return relations(sql, tables, owner);
    }
    if (sql.startsWith("SELECT c.oid,\n  n.nspname,\n  c.relname\n")) {
      List<String[]> rows = new ArrayList<>();
      for (TableDef t : matching(sql, tables)) {
        rows.add(new String[] {String.valueOf(t.relation()), "public", t.name()});
      }
      return result(List.of(new Column("oid", 26, (short) 4), Column.text("nspname"), Column.text("relname")), rows);
    }
    TableDef table = byOid(sql, tables);
    if (table != null && sql.startsWith("SELECT c.relchecks, c.relkind, c.relhasindex")) {
      return result(texts("relchecks", "relkind", "relhasindex", "relhasrules", "relhastriggers", "relrowsecurity",
          "relforcerowsecurity", "relhasoids", "relispartition", "?column?", "reltablespace", "reloftype",
          "relpersistence", "relreplident", "amname"), List.<String[]>of(new String[] {"0", "r",
          table.indexes().isEmpty() ? "f" : "t", "f", "f", "f", "f", "f", "f", "", "0", "", "p", "d", "heap"}));
    }
    if (table != null && sql.contains("FROM pg_catalog.pg_attribute a")) {
      List<String[]> rows = new ArrayList<>();
      for (TableDef.Column c : table.columns()) {
        rows.add(new String[] {c.name(), c.type().sqlName(c.modifier()), null, c.notNull() ? "t" : "f", null, "", ""});
      }
      return result(texts("attname", "format_type", "pg_get_expr", "attnotnull", "attcollation", "attidentity",
          "attgenerated"), rows);
    }
    if (table != null && sql.contains("FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i")) {
      return indexes(table);
    }
    for (String empty : EMPTY) {
      if (sql.contains("FROM " + empty) || sql.contains(empty + " i") || sql.contains(empty + " p")) {
        return result(List.of(), List.of());
      }
    }
    if (sql.contains("FROM pg_catalog.pg_constraint r") && sql.contains("contype = 'f'")) {
      return result(List.of(), List.of());
    }
    return null;
  }

  private static StatementResult databases(List<String> databases, String owner) {
    List<String[]> rows = new ArrayList<>();
    for (String name : databases.stream().sorted().toList()) {
      rows.add(new String[] {name, owner, "UTF8", "C", "C", null, "libc", null});
    }
    return result(texts("Name", "Owner", "Encoding", "Collate", "Ctype", "ICU Locale", "Locale Provider",
        "Access privileges"), rows);
  }

  /** {@code \dt}, {@code \d}: the tables (Folio has no views, sequences or foreign tables). */
  private static StatementResult relations(String sql, Map<String, Catalog.Entry> tables, String owner) {
    Matcher kinds = RELKINDS.matcher(sql);
    boolean wantsTables = kinds.find() && kinds.group(1).contains("'r'");
    List<String[]> rows = new ArrayList<>();
    if (wantsTables) {
      for (TableDef t : matching(sql, tables)) {
        rows.add(new String[] {"public", t.name(), "table", owner});
      }
    }
    return result(texts("Schema", "Name", "Type", "Owner"), rows);
  }

  private static StatementResult indexes(TableDef table) {
    List<String[]> rows = new ArrayList<>();
    List<TableDef.IndexDef> sorted = new ArrayList<>(table.indexes());
    sorted.sort(Comparator.comparing((TableDef.IndexDef i) -> !primary(table, i)).thenComparing(TableDef.IndexDef::name));
    for (TableDef.IndexDef i : sorted) {
      boolean primary = primary(table, i);
      String columns = String.join(", ", i.columns().stream().map(c -> table.columns().get(c).name()).toList());
      String definition = "CREATE " + (i.unique() ? "UNIQUE " : "") + "INDEX " + i.name() + " ON public."
          + table.name() + " USING btree (" + columns + ")";
      rows.add(new String[] {i.name(), primary ? "t" : "f", i.unique() ? "t" : "f", "f", "t", definition,
          primary ? "PRIMARY KEY (" + columns + ")" : null, primary ? "p" : null, primary ? "f" : null,
          primary ? "f" : null, "f", "0"});
    }
    return result(texts("relname", "indisprimary", "indisunique", "indisclustered", "indisvalid",
        "pg_get_indexdef", "pg_get_constraintdef", "contype", "condeferrable", "condeferred", "indisreplident",
        "reltablespace"), rows);
  }

  /** Whether the index is the table's primary key: unique, on exactly the primary key's columns. */
  private static boolean primary(TableDef table, TableDef.IndexDef index) {
    if (!index.unique()) {
      return false;
    }
    List<Integer> keyColumns = new ArrayList<>();
    for (int c = 0; c < table.columns().size(); c++) {
      if (table.columns().get(c).primaryKey()) {
        keyColumns.add(c);
      }
    }
    return !keyColumns.isEmpty() && keyColumns.equals(index.columns());
  }

  /** The tables whose names match psql's pattern (a POSIX regular expression), by name; all if there is none. */
  private static List<TableDef> matching(String sql, Map<String, Catalog.Entry> tables) {
    Matcher m = NAME.matcher(sql);
    Pattern pattern = m.find() ? Pattern.compile(m.group(1)) : null;
    return tables.values().stream().map(Catalog.Entry::table)
        .filter(t -> pattern == null || pattern.matcher(t.name()).matches())
        .sorted(Comparator.comparing(TableDef::name)).toList();
  }

  private static TableDef byOid(String sql, Map<String, Catalog.Entry> tables) {
    Matcher m = OID.matcher(sql);
    if (!m.find()) {
      return null;
    }
    int relation = Integer.parseInt(m.group(1));
    return tables.values().stream().map(Catalog.Entry::table).filter(t -> t.relation() == relation).findFirst()
        .orElse(null);
  }

  private static List<Column> texts(String... names) {
    return java.util.Arrays.stream(names).map(Column::text).toList();
  }

  private static StatementResult result(List<Column> columns, List<String[]> rows) {
    return new StatementResult(columns, rows, "SELECT " + rows.size(), null);
  }
}
