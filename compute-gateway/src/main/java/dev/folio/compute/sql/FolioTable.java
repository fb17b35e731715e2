package dev.folio.compute.sql;

import dev.folio.compute.storage.HeapRelation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.impl.AbstractTable;

/**
 * A table as Calcite sees it: a scan of its heap relation, the rows visible to the statement's
 * transaction. With {@code withTid}, two leading columns {@code $block} and {@code $offset} say
 * where each row is, for UPDATE and DELETE.
 */
final class FolioTable extends AbstractTable implements ScannableTable {
  static final String BLOCK = "$block";
  static final String OFFSET = "$offset";

  private final TableDef table;
  private final HeapRelation heap;
  private final LongSupplier reader;
  private final boolean withTid;

  FolioTable(TableDef table, HeapRelation heap, LongSupplier reader, boolean withTid) {
    this.table = table;
    this.heap = heap;
    this.reader = reader;
    this.withTid = withTid;
  }

  @Override
  public RelDataType getRowType(RelDataTypeFactory types) {
    RelDataTypeFactory.Builder b = types.builder();
    if (withTid) {
      b.add(BLOCK, types.createSqlType(ColumnType.INT4.calcite));
      b.add(OFFSET, types.createSqlType(ColumnType.INT4.calcite));
    }
    for (TableDef.Column c : table.columns()) {
      b.add(c.name(), types.createTypeWithNullability(types.createSqlType(c.type().calcite), !c.notNull()));
    }
    return b.build();
  }

  @Override
  public Enumerable<Object[]> scan(DataContext root) {
    List<Object[]> rows = new ArrayList<>();
    for (HeapRelation.Row r : heap.scan(reader.getAsLong())) {
      Object[] values = table.decode(r.data());
      if (withTid) {
        Object[] withPosition = new Object[values.length + 2];
        withPosition[0] = r.tid().block();
        withPosition[1] = r.tid().offset();
        System.arraycopy(values, 0, withPosition, 2, values.length);
        values = withPosition;
      }
      rows.add(values);
    }
    return Linq4j.asEnumerable(rows);
  }
}
