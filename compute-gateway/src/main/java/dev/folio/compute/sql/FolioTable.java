package dev.folio.compute.sql;

import dev.folio.compute.storage.BtreeIndex;
import dev.folio.compute.storage.HeapRelation;
import dev.folio.compute.storage.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.impl.AbstractTable;

/**
 * A table as Calcite sees it: the rows of its heap relation visible to the statement's
 * transaction, through an index when the conditions of the filter above it allow one
 * ({@link AccessPath}, by way of {@link FolioScan}), else by a sequential scan; with a position
 * (an UPDATE's check of one row again), just that row. With {@code withTid}, two leading columns
 * {@code $block} and {@code $offset} say
 * where each row is, for UPDATE and DELETE.
 */
public final class FolioTable extends AbstractTable implements ScannableTable {
  static final String BLOCK = "$block";
  static final String OFFSET = "$offset";

  private final TableDef table;
  private final HeapRelation heap;
  private final Function<TableDef.IndexDef, BtreeIndex> indexes;
  private final Database.Scans scans;
  private final Supplier<Snapshot> reader;
  private final boolean withTid;

  FolioTable(TableDef table, HeapRelation heap, Function<TableDef.IndexDef, BtreeIndex> indexes,
      Database.Scans scans, Supplier<Snapshot> reader, boolean withTid) {
    this.table = table;
    this.heap = heap;
    this.indexes = indexes;
    this.scans = scans;
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
      b.add(c.name(), types.createTypeWithNullability(calciteType(c, types), !c.notNull()));
    }
    return b.build();
  }

  /** The declared type of the column at this position of the row type ({@code $block} and {@code $offset} are int4). */
  ColumnType columnType(int ordinal) {
    int column = ordinal - (withTid ? 2 : 0);
    return column < 0 ? ColumnType.INT4 : table.columns().get(column).type();
  }

  /** The column's type in Calcite: with its length or precision and scale where it has them. */
  static RelDataType calciteType(TableDef.Column c, RelDataTypeFactory types) {
    ColumnType t = c.type();
    if ((t == ColumnType.VARCHAR || t == ColumnType.BPCHAR) && c.modifier() >= 0) {
      return types.createSqlType(t.calcite, c.modifier());
    }
    if (t == ColumnType.NUMERIC) {
      return c.modifier() >= 0 ? types.createSqlType(t.calcite, c.modifier() >>> 16, c.modifier() & 0xFFFF)
          : types.createSqlType(t.calcite, ColumnType.MAX_NUMERIC_PRECISION, ColumnType.MAX_NUMERIC_PRECISION / 2);
    }
    return types.createSqlType(t.calcite);
  }

  @Override
  public Enumerable<Object[]> scan(DataContext root) {
    return scan(root, List.of());
  }

  /** The rows, through an index if {@code filters} (conditions on this table's row) allow one. */
  public Enumerable<Object[]> scan(DataContext root, List<RexNode> filters) {
    Snapshot snapshot = reader.get();
    List<Object[]> rows = new ArrayList<>();
    HeapRelation.Tid tid = withTid ? AccessPath.tid(filters, root) : null;
    if (tid != null) {
      byte[] data = heap.fetch(tid, snapshot);
      if (data != null) {
        rows.add(row(tid, data));
      }
      return Linq4j.asEnumerable(rows);
    }
    AccessPath path = AccessPath.choose(table, filters, root, withTid ? 2 : 0);
    if (path == null) {
      scans.sequential().increment();
      for (HeapRelation.Row r : heap.scan(snapshot)) {
        rows.add(row(r.tid(), r.data()));
      }
    } else {
      rows.addAll(indexRows(path.index(), path.low(), path.lowInclusive(), path.high(), path.highInclusive(),
          snapshot));
    }
    return Linq4j.asEnumerable(rows);
  }

  /**
   * The index a join can look rows up in, given which outer columns equal which of this table's
   * columns: the one with the longest leading run of joined columns, and the outer column for each;
   * null if none starts with a joined column.
   */
  FolioIndexJoin.Spec indexFor(List<Integer> outerKeys, List<Integer> innerKeys) {
    FolioIndexJoin.Spec best = null;
    for (TableDef.IndexDef index : withTid ? List.<TableDef.IndexDef>of() : table.indexes()) {
      List<Integer> keys = new ArrayList<>();
      for (int column : index.columns()) {
        int at = innerKeys.indexOf(column);
        if (at < 0) {
          break;
        }
        keys.add(outerKeys.get(at));
      }
      if (!keys.isEmpty() && (best == null || keys.size() > best.outerKeys().length)) {
        best = new FolioIndexJoin.Spec(this, index, keys.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    return best;
  }

  /**
   * The rows the statement sees whose key in {@code index} starts with {@code values}; a value
   * that is not exactly of its column's type, or is null, equals nothing.
   */
  List<Object[]> lookup(TableDef.IndexDef index, Object[] values) {
    List<ColumnType> types = new ArrayList<>();
    List<Object> key = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      TableDef.Column c = table.columns().get(index.columns().get(i));
      Object v = AccessPath.exact(c, values[i]);
      if (v == null) {
        return List.of();
      }
      types.add(c.type());
      key.add(v);
    }
    byte[] prefix = IndexKeys.encode(types, key);
    return indexRows(index, prefix, true, prefix, true, reader.get());
  }

  /** The rows {@code snapshot} sees among those an index range points to. */
  private List<Object[]> indexRows(TableDef.IndexDef index, byte[] low, boolean lowInclusive, byte[] high,
      boolean highInclusive, Snapshot snapshot) {
    scans.index().increment();
    List<Object[]> rows = new ArrayList<>();
    for (HeapRelation.Tid tid : indexes.apply(index).scan(low, lowInclusive, high, highInclusive)) {
      byte[] data = heap.fetch(tid, snapshot);
      if (data != null) {
        rows.add(row(tid, data));
      }
    }
    return rows;
  }

  private Object[] row(HeapRelation.Tid tid, byte[] data) {
    Object[] values = table.decode(data);
    if (withTid) {
      Object[] withPosition = new Object[values.length + 2];
      withPosition[0] = tid.block();
      withPosition[1] = tid.offset();
      System.arraycopy(values, 0, withPosition, 2, values.length);
      values = withPosition;
    }
    return values;
  }
}
