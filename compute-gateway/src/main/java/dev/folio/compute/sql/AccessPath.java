package dev.folio.compute.sql;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;
import dev.folio.compute.storage.HeapRelation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.DataContext;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.rex.RexUnknownAs;
import org.apache.calcite.util.Sarg;

/**
 * How a scan reaches its rows: the index and key range that cover the most of a statement's
 * conditions, or none (a sequential scan). Chosen each time the scan runs, from the conditions
 * Calcite pushes into the table ({@code column op constant-or-parameter}) and the parameters'
 * values, so a cached plan takes the index whatever the values are. The conditions stay in the
 * plan and are checked again on every row, so a range only has to hold every matching row.
 *
 * <p>An index matches equalities on a prefix of its columns, then a range on the next one;
 * ranges on text are not used, since the index orders text by bytes and SQL compares it otherwise.
 * A value that is not exactly of the column's type (1.5 against an integer column) is not used.
 */
record AccessPath(TableDef.IndexDef index, byte[] low, boolean lowInclusive, byte[] high, boolean highInclusive) {
  private record Condition(int column, SqlKind op, Object value) {}

  /**
   * The best index range for {@code filters} over {@code table}, whose row type starts with
   * {@code leading} columns that are not the table's; null for a sequential scan.
   */
  static AccessPath choose(TableDef table, List<RexNode> filters, DataContext context, int leading) {
    if (table.indexes().isEmpty() || filters.isEmpty()) {
      return null;
    }
    Map<Integer, List<Condition>> byColumn = new HashMap<>();
    for (RexNode filter : filters) {
      for (RexNode conjunct : RexUtil.flattenAnd(List.of(filter))) {
        for (Condition c : conditions(table, conjunct, context, leading)) {
          byColumn.computeIfAbsent(c.column(), k -> new ArrayList<>()).add(c);
        }
      }
    }
    AccessPath best = null;
    int bestScore = 0;
    for (TableDef.IndexDef index : table.indexes()) {
      List<ColumnType> types = new ArrayList<>();
      List<Object> equal = new ArrayList<>();
      Condition lower = null;
      Condition upper = null;
      for (int column : index.columns()) {
        List<Condition> on = byColumn.getOrDefault(column, List.of());
        Condition eq = on.stream().filter(c -> c.op() == SqlKind.EQUALS).findFirst().orElse(null);
        if (eq != null) {
          types.add(table.columns().get(column).type());
          equal.add(eq.value());
          continue;
        }
        if (ordered(table.columns().get(column).type())) {
          for (Condition c : on) {
            if (c.op() == SqlKind.GREATER_THAN || c.op() == SqlKind.GREATER_THAN_OR_EQUAL) {
              lower = c;
            } else if (c.op() == SqlKind.LESS_THAN || c.op() == SqlKind.LESS_THAN_OR_EQUAL) {
              upper = c;
            }
          }
          if (lower != null || upper != null) {
            types.add(table.columns().get(column).type());
          }
        }
        break;
      }
      boolean whole = equal.size() == index.columns().size();
      int score = 4 * equal.size() + (whole && index.unique() ? 2 : 0) + (lower != null || upper != null ? 1 : 0);
      if (score <= bestScore) {
        continue;
      }
      bestScore = score;
      byte[] prefix = IndexKeys.encode(types.subList(0, equal.size()), equal);
      best = new AccessPath(index,
          lower == null ? prefix : bound(types, equal, lower.value()), lower == null || lower.op() == SqlKind.GREATER_THAN_OR_EQUAL,
          upper == null ? prefix : bound(types, equal, upper.value()), upper == null || upper.op() == SqlKind.LESS_THAN_OR_EQUAL);
    }
    return best;
  }

  /** The position {@code $block = b AND $offset = o} asks for, if the conditions say so; else null. */
  static HeapRelation.Tid tid(List<RexNode> filters, DataContext context) {
    Integer block = null;
    Integer offset = null;
    for (RexNode filter : filters) {
      for (RexNode c : RexUtil.flattenAnd(List.of(filter))) {
        if (c.getKind() == SqlKind.EQUALS && ((RexCall) c).getOperands().get(0) instanceof RexInputRef ref
            && ref.getIndex() < 2) {
          Object v = exact(ColumnType.INT4, -1, constant(((RexCall) c).getOperands().get(1), context));
          if (ref.getIndex() == 0) {
            block = (Integer) v;
          } else {
            offset = (Integer) v;
          }
        }
      }
    }
    return block != null && offset != null ? new HeapRelation.Tid(block, offset) : null;
  }

  private static byte[] bound(List<ColumnType> types, List<Object> equal, Object value) {
    List<Object> values = new ArrayList<>(equal);
    values.add(value);
    return IndexKeys.encode(types, values);
  }

  /**
   * {@code column op value} from a comparison of a column with a constant or parameter, or the one
   * or two from a search of a column for a single range (what Calcite makes of {@code BETWEEN} and
   * of two comparisons of one column with literals); none from anything else.
   */
  private static List<Condition> conditions(TableDef table, RexNode node, DataContext context, int leading) {
    if (!(node instanceof RexCall call) || call.getOperands().size() != 2) {
      return List.of();
    }
    SqlKind op = call.getKind();
    if (op == SqlKind.SEARCH) {
      return search(table, call, leading);
    }
    if (op != SqlKind.EQUALS && op != SqlKind.LESS_THAN && op != SqlKind.LESS_THAN_OR_EQUAL
        && op != SqlKind.GREATER_THAN && op != SqlKind.GREATER_THAN_OR_EQUAL) {
      return List.of();
    }
    RexNode left = call.getOperands().get(0);
    RexNode right = call.getOperands().get(1);
    if (!(column(left) instanceof RexInputRef)) {
      RexNode swap = left;
      left = right;
      right = swap;
      op = op.reverse();
    }
    int column = columnOf(table, left, leading);
    Object value = column < 0 ? null : exact(table.columns().get(column), constant(right, context));
    return value == null ? List.of() : List.of(new Condition(column, op, value));
  }

  private static List<Condition> search(TableDef table, RexCall call, int leading) {
    int column = columnOf(table, call.getOperands().get(0), leading);
    if (column < 0 || !(call.getOperands().get(1) instanceof RexLiteral literal)) {
      return List.of();
    }
    Sarg<?> sarg = literal.getValueAs(Sarg.class);
    // A search that also admits NULL (x IS NULL OR …) needs rows the range would not hold.
    if (sarg == null || sarg.rangeSet.asRanges().size() != 1 || sarg.nullAs == RexUnknownAs.TRUE) {
      return List.of();
    }
    TableDef.Column type = table.columns().get(column);
    Range<?> range = sarg.rangeSet.asRanges().iterator().next();
    List<Condition> out = new ArrayList<>();
    Object low = range.hasLowerBound() ? exact(type, range.lowerEndpoint()) : null;
    Object high = range.hasUpperBound() ? exact(type, range.upperEndpoint()) : null;
    if (low != null && low.equals(high) && range.lowerBoundType() == BoundType.CLOSED
        && range.upperBoundType() == BoundType.CLOSED) {
      return List.of(new Condition(column, SqlKind.EQUALS, low));
    }
    if (low != null) {
      out.add(new Condition(column, range.lowerBoundType() == BoundType.CLOSED ? SqlKind.GREATER_THAN_OR_EQUAL
          : SqlKind.GREATER_THAN, low));
    }
    if (high != null) {
      out.add(new Condition(column, range.upperBoundType() == BoundType.CLOSED ? SqlKind.LESS_THAN_OR_EQUAL
          : SqlKind.LESS_THAN, high));
    }
    return out;
  }

  /** The table column a node reads, or -1. */
  private static int columnOf(TableDef table, RexNode node, int leading) {
    if (!(column(node) instanceof RexInputRef ref) || ref.getIndex() < leading) {
      return -1;
    }
    int column = ref.getIndex() - leading;
    ColumnType type = table.columns().get(column).type();
    // A cast string may compare with CHAR semantics (trailing blanks) and a cast bool oddly; the index has bytes.
    return node.getKind() == SqlKind.CAST && !ordered(type) ? -1 : column;
  }

  /** The column under a cast (an int compared with a bigint or a decimal), or the node. */
  private static RexNode column(RexNode node) {
    if (node.getKind() == SqlKind.CAST && ((RexCall) node).getOperands().get(0) instanceof RexInputRef ref) {
      return ref;
    }
    return node;
  }

  private static Object constant(RexNode node, DataContext context) {
    if (node.getKind() == SqlKind.CAST) {
      node = ((RexCall) node).getOperands().get(0);
    }
    if (node instanceof RexLiteral literal) {
      return literal.getValue3();
    }
    if (node instanceof RexDynamicParam param) {
      return context.get("?" + param.getIndex());
    }
    return null;
  }

  /** Whether the index's byte order is SQL's order for the type, so that it serves ranges (and casts). */
  private static boolean ordered(ColumnType type) {
    return switch (type) {
      case TEXT, VARCHAR, BPCHAR, BYTEA, BOOL -> false;
      default -> true;
    };
  }

  static Object exact(TableDef.Column column, Object v) {
    return exact(column.type(), column.modifier(), v);
  }

  /** The value as the column's type (padded as char(n) is) if it is exactly one, else null. */
  private static Object exact(ColumnType type, int modifier, Object v) {
    if (v == null) {
      return null;
    }
    return switch (type) {
      case INT2, INT4, INT8 -> {
        BigDecimal d = decimal(v);
        if (d == null || d.stripTrailingZeros().scale() > 0) {
          yield null;
        }
        try {
          yield switch (type) {
            case INT2 -> (Object) d.shortValueExact();
            case INT4 -> (Object) d.intValueExact();
            default -> (Object) d.longValueExact();
          };
        } catch (ArithmeticException e) {
          yield null;
        }
      }
      case FLOAT8 -> v instanceof Double || v instanceof Float || v instanceof Integer || v instanceof Long
          ? ((Number) v).doubleValue() : null;
      case FLOAT4 -> v instanceof Double || v instanceof Float || v instanceof Integer || v instanceof Long
          ? ((Number) v).floatValue() : null;
      case BOOL -> v instanceof Boolean ? v : null;
      case DATE -> v instanceof Integer ? v : null;
      case TIMESTAMP, TIMESTAMPTZ -> v instanceof Long ? v : null;
      case BYTEA -> v instanceof org.apache.calcite.avatica.util.ByteString ? v : null;
      case TEXT, VARCHAR, BPCHAR -> {
        String text = v instanceof String str ? str : v instanceof org.apache.calcite.util.NlsString n ? n.getValue()
            : null;
        if (text == null || type != ColumnType.BPCHAR) {
          yield text;
        }
        try {
          yield type.coerce(text, modifier);
        } catch (dev.folio.compute.pgwire.PgException tooLong) {
          yield null; // longer than the column: equal to no value in it
        }
      }
      case NUMERIC -> null;
    };
  }

  private static BigDecimal decimal(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    return null;
  }
}
