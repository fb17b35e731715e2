package dev.folio.compute.sql;

import static dev.folio.compute.sql.RowsTable.Field.integer;
import static dev.folio.compute.sql.RowsTable.Field.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Folio's catalog as the SQL standard's {@code information_schema} (schemata, tables, columns) and
 * as the most used relations of PostgreSQL's {@code pg_catalog} (pg_namespace, pg_class,
 * pg_attribute, pg_index, pg_tables, pg_database, pg_type), with PostgreSQL's column names, for
 * tools and scripts that ask the database what it holds. They are read-only tables over the
 * catalog the statement sees. Relation numbers serve as oids; schema {@code public} is 2200, as in
 * PostgreSQL.
 */
final class CatalogViews {
  private static final int PG_CATALOG = 11;
  private static final int PUBLIC = 2200;
  private static final int INFORMATION_SCHEMA = 13_000;

  private CatalogViews() {}

  /**
   * Adds both schemas to {@code root}, over {@code tables}; {@code database} names the current one,
   * {@code databases} (asked at each scan) all of them.
   */
  static void addTo(SchemaPlus root, Map<String, Catalog.Entry> tables, String database,
      Supplier<List<String>> databases, String owner) {
    List<TableDef> defs = tables.values().stream().map(Catalog.Entry::table)
        .sorted(Comparator.comparing(TableDef::name)).toList();
    SchemaPlus info = root.add("information_schema", new AbstractSchema());
    info.add("schemata", view(List.of(text("catalog_name"), text("schema_name"), text("schema_owner")),
        List.of(row(database, "pg_catalog", owner), row(database, "public", owner),
            row(database, "information_schema", owner), row(database, "folio", owner))));
    List<Object[]> tableRows = new ArrayList<>();
    List<Object[]> columnRows = new ArrayList<>();
    for (TableDef t : defs) {
      tableRows.add(row(database, "public", t.name(), "BASE TABLE"));
      for (int i = 0; i < t.columns().size(); i++) {
        TableDef.Column c = t.columns().get(i);
        columnRows.add(row(database, "public", t.name(), c.name(), i + 1, null, c.notNull() ? "NO" : "YES",
            dataType(c), length(c), precision(c), scale(c)));
      }
    }
    info.add("tables", view(List.of(text("table_catalog"), text("table_schema"), text("table_name"),
        text("table_type")), tableRows));
    info.add("columns", view(List.of(text("table_catalog"), text("table_schema"), text("table_name"),
        text("column_name"), integer("ordinal_position"), text("column_default"), text("is_nullable"),
        text("data_type"), integer("character_maximum_length"), integer("numeric_precision"),
        integer("numeric_scale")), columnRows));

    SchemaPlus pg = root.add("pg_catalog", new AbstractSchema());
    pg.add("pg_namespace", view(List.of(integer("oid"), text("nspname")), List.of(row(PG_CATALOG, "pg_catalog"),
        row(PUBLIC, "public"), row(INFORMATION_SCHEMA, "information_schema"))));
    List<Object[]> classes = new ArrayList<>();
    List<Object[]> attributes = new ArrayList<>();
    List<Object[]> indexes = new ArrayList<>();
    List<Object[]> pgTables = new ArrayList<>();
    for (TableDef t : defs) {
      classes.add(row(t.relation(), t.name(), PUBLIC, "r", !t.indexes().isEmpty(), t.columns().size()));
      pgTables.add(row("public", t.name(), owner, !t.indexes().isEmpty()));
      for (int i = 0; i < t.columns().size(); i++) {
        TableDef.Column c = t.columns().get(i);
        attributes.add(row(t.relation(), c.name(), c.type().oid, (short) (i + 1), c.notNull(), (int) c.type().size,
            typmod(c), false));
      }
      for (TableDef.IndexDef ix : t.indexes()) {
        classes.add(row(ix.relation(), ix.name(), PUBLIC, "i", false, ix.columns().size()));
        String key = ix.columns().stream().map(c -> String.valueOf(c + 1)).collect(Collectors.joining(" "));
        boolean primary = ix.unique() && ix.columns().equals(primaryKey(t));
        indexes.add(row(ix.relation(), t.relation(), ix.unique(), primary, key));
        for (int k = 0; k < ix.columns().size(); k++) {
          TableDef.Column c = t.columns().get(ix.columns().get(k));
          attributes.add(row(ix.relation(), c.name(), c.type().oid, (short) (k + 1), false, (int) c.type().size,
              typmod(c), false));
        }
      }
    }
    pg.add("pg_class", view(List.of(integer("oid"), text("relname"), integer("relnamespace"), text("relkind"),
        bool("relhasindex"), integer("relnatts")), classes));
    pg.add("pg_attribute", view(List.of(integer("attrelid"), text("attname"), integer("atttypid"),
        smallint("attnum"), bool("attnotnull"), integer("attlen"), integer("atttypmod"), bool("attisdropped")),
        attributes));
    pg.add("pg_index", view(List.of(integer("indexrelid"), integer("indrelid"), bool("indisunique"),
        bool("indisprimary"), text("indkey")), indexes));
    pg.add("pg_tables", view(List.of(text("schemaname"), text("tablename"), text("tableowner"),
        bool("hasindexes")), pgTables));
    pg.add("pg_database", new RowsTable(List.of(text("datname")),
        () -> databases.get().stream().sorted().map(d -> row(d)).toList()));
    List<Object[]> types = new ArrayList<>();
    for (ColumnType t : ColumnType.values()) {
      types.add(row(t.oid, t.name().toLowerCase(java.util.Locale.ROOT), (int) t.size));
    }
    pg.add("pg_type", view(List.of(integer("oid"), text("typname"), integer("typlen")), types));
  }

  /** PostgreSQL's atttypmod: the declared modifier plus its 4-byte varlena header, or -1 for none. */
  private static int typmod(TableDef.Column c) {
    return c.modifier() < 0 ? -1 : c.modifier() + 4;
  }

  private static List<Integer> primaryKey(TableDef t) {
    List<Integer> key = new ArrayList<>();
    for (int c = 0; c < t.columns().size(); c++) {
      if (t.columns().get(c).primaryKey()) {
        key.add(c);
      }
    }
    return key;
  }

  /** information_schema's data_type: the type's name without its modifier. */
  private static String dataType(TableDef.Column c) {
    return switch (c.type()) {
      case BPCHAR -> "character";
      case VARCHAR -> "character varying";
      case NUMERIC -> "numeric";
      default -> c.type().sqlName(-1);
    };
  }

  private static Integer length(TableDef.Column c) {
    return (c.type() == ColumnType.VARCHAR || c.type() == ColumnType.BPCHAR) && c.modifier() >= 0 ? c.modifier()
        : null;
  }

  private static Integer precision(TableDef.Column c) {
    return switch (c.type()) {
      case INT2 -> 16;
      case INT4 -> 32;
      case INT8 -> 64;
      case FLOAT4 -> 24;
      case FLOAT8 -> 53;
      case NUMERIC -> c.modifier() >= 0 ? c.modifier() >>> 16 : null;
      default -> null;
    };
  }

  private static Integer scale(TableDef.Column c) {
    return switch (c.type()) {
      case INT2, INT4, INT8 -> 0;
      case NUMERIC -> c.modifier() >= 0 ? c.modifier() & 0xFFFF : null;
      default -> null;
    };
  }

  private static RowsTable.Field smallint(String name) {
    return new RowsTable.Field(name, SqlTypeName.SMALLINT);
  }

  private static RowsTable.Field bool(String name) {
    return new RowsTable.Field(name, SqlTypeName.BOOLEAN);
  }

  private static Object[] row(Object... values) {
    return values;
  }

  /** A view of fixed rows. */
  private static RowsTable view(List<RowsTable.Field> fields, List<Object[]> rows) {
    return new RowsTable(fields, () -> rows);
  }
}
