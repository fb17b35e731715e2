package dev.folio.compute.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableFilter;
import org.apache.calcite.adapter.enumerable.EnumerableProject;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;

/**
 * Index nested-loop join: for each row of the outer input, the rows of a Folio table whose index
 * key equals the outer row's join columns, found through the index (a prefix of its columns, all
 * joined by equality). Chosen for an inner equi-join whose right side is a table with such an
 * index; the join's whole condition stays above it as a filter, so the lookups only have to find
 * every matching row. The loop itself is plain Java ({@link #join}), called from the plan's
 * generated code with the table and the key positions from the plan's stash.
 */
public final class FolioIndexJoin extends SingleRel implements EnumerableRel {
  /** What the loop needs: the inner table, its index, and which outer columns give the key, in index order. */
  public record Spec(FolioTable table, TableDef.IndexDef index, int[] outerKeys) {}

  private final RelOptTable inner;
  private final Spec spec;

  private FolioIndexJoin(RelOptCluster cluster, RelTraitSet traits, RelNode outer, RelOptTable inner, Spec spec,
      RelDataType rowType) {
    super(cluster, traits, outer);
    this.inner = inner;
    this.spec = spec;
    this.rowType = rowType;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new FolioIndexJoin(getCluster(), traitSet, inputs.get(0), inner, spec, rowType);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("inner", inner.getQualifiedName()).item("index", spec.index().name());
  }

  /** A lookup per outer row: cheaper than hashing the whole inner table, for the outer sizes an OLTP query has. */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    return planner.getCostFactory().makeTinyCost();
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    BlockBuilder builder = new BlockBuilder();
    Result outer = implementor.visitChild(this, 0, (EnumerableRel) getInput(), Prefer.ARRAY);
    Expression rows = outer.physType.convertTo(builder.append("outer", outer.block), JavaRowFormat.ARRAY);
    Expression stashed = implementor.stash(spec, Spec.class);
    builder.add(Expressions.return_(null, Expressions.call(FolioIndexJoin.class, "join", rows, stashed)));
    PhysType type = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(), JavaRowFormat.ARRAY, false);
    return implementor.result(type, builder.toBlock());
  }

  /** The loop: each outer row with each inner row the index finds for its key. */
  public static Enumerable<Object[]> join(Enumerable<Object[]> outer, Spec spec) {
    List<Object[]> out = new ArrayList<>();
    for (Object[] o : outer) {
      Object[] key = new Object[spec.outerKeys().length];
      for (int i = 0; i < key.length; i++) {
        key[i] = o[spec.outerKeys()[i]];
      }
      for (Object[] i : spec.table().lookup(spec.index(), key)) {
        Object[] row = new Object[o.length + i.length];
        System.arraycopy(o, 0, row, 0, o.length);
        System.arraycopy(i, 0, row, o.length, i.length);
        out.add(row);
      }
    }
    return Linq4j.asEnumerable(out);
  }

  /**
   * Turns an inner equi-join onto an indexed Folio table (scanned whole, or through a projection of
   * some of its columns, as Calcite trims them) into a filter over a {@link FolioIndexJoin}.
   */
  static final class Rule extends RelOptRule {
    /** The table scanned whole on the right. */
    static final Rule SCAN = new Rule(operand(LogicalJoin.class, operand(RelNode.class, any()),
        operand(LogicalTableScan.class, none())), "FolioIndexJoinRule:scan");
    /** Some of the table's columns on the right, as Calcite trims them. */
    static final Rule PROJECTED_SCAN = new Rule(operand(LogicalJoin.class, operand(RelNode.class, any()),
        operand(LogicalProject.class, operand(LogicalTableScan.class, none()))), "FolioIndexJoinRule:projected");

    private Rule(org.apache.calcite.plan.RelOptRuleOperand operand, String name) {
      super(operand, name);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      LogicalJoin join = call.rel(0);
      RelNode outer = call.rel(1);
      RelNode right = call.rel(2);
      LogicalTableScan tableScan = call.rel(call.rels.length - 1);
      RelNode scan = tableScan;
      // Which table column each of the right side's fields is: all of them, or those a projection picks.
      List<Integer> columns = new ArrayList<>();
      if (right instanceof LogicalProject project) {
        for (RexNode e : project.getProjects()) {
          if (!(e instanceof RexInputRef ref)) {
            return;
          }
          columns.add(ref.getIndex());
        }
      }
      if (join.getJoinType() != JoinRelType.INNER) {
        return;
      }
      FolioTable table = tableScan.getTable().unwrap(FolioTable.class);
      if (table == null) {
        return;
      }
      if (scan == right) {
        for (int i = 0; i < scan.getRowType().getFieldCount(); i++) {
          columns.add(i);
        }
      }
      JoinInfo info = join.analyzeCondition();
      if (info.leftKeys.isEmpty() || info.nullExclusionFlags.contains(false)) {
        return;
      }
      List<Integer> innerKeys = new ArrayList<>();
      info.rightKeys.forEach(k -> innerKeys.add(columns.get(k)));
      Spec spec = table.indexFor(info.leftKeys, innerKeys);
      if (spec == null) {
        return;
      }
      RelDataType joined = join.getCluster().getTypeFactory().builder().addAll(outer.getRowType().getFieldList())
          .addAll(scan.getRowType().getFieldList()).build();
      RelNode outerEnumerable = convert(outer, outer.getTraitSet().replace(EnumerableConvention.INSTANCE));
      RelNode lookup = new FolioIndexJoin(join.getCluster(), join.getTraitSet().replace(EnumerableConvention.INSTANCE),
          outerEnumerable, tableScan.getTable(), spec, joined);
      if (scan != right) {
        // Back to the join's fields: the outer row, then the columns the projection picked.
        RexBuilder rex = join.getCluster().getRexBuilder();
        int width = outer.getRowType().getFieldCount();
        List<RexNode> fields = new ArrayList<>();
        for (int i = 0; i < width; i++) {
          fields.add(rex.makeInputRef(lookup, i));
        }
        for (int column : columns) {
          fields.add(rex.makeInputRef(lookup, width + column));
        }
        lookup = EnumerableProject.create(lookup, fields, join.getRowType());
      }
      call.transformTo(EnumerableFilter.create(lookup, join.getCondition()));
    }
  }
}
