package dev.folio.compute.sql;

import java.util.List;
import java.util.function.Supplier;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * A read-only table whose rows are made when it is scanned: the system views (the registry of
 * computes, information_schema, pg_catalog). Values are as Calcite holds them (a timestamp as
 * epoch milliseconds); every column may be null.
 */
final class RowsTable extends AbstractTable implements ScannableTable {
  /** A column: its name and SQL type. */
  record Field(String name, SqlTypeName type) {
    static Field text(String name) {
      return new Field(name, SqlTypeName.VARCHAR);
    }

    static Field integer(String name) {
      return new Field(name, SqlTypeName.INTEGER);
    }
  }

  private final List<Field> fields;
  private final Supplier<List<Object[]>> rows;

  RowsTable(List<Field> fields, Supplier<List<Object[]>> rows) {
    this.fields = fields;
    this.rows = rows;
  }

  @Override
  public RelDataType getRowType(RelDataTypeFactory types) {
    RelDataTypeFactory.Builder row = types.builder();
    fields.forEach(f -> row.add(f.name(), f.type()).nullable(true));
    return row.build();
  }

  @Override
  public Enumerable<Object[]> scan(DataContext root) {
    return Linq4j.asEnumerable(rows.get());
  }
}
