package dev.folio.compute.sql;

import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableFilter;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.Blocks;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;

/**
 * Our physical scan of a {@link FolioTable} under a filter: it hands the filter's conditions to the
 * table, which picks an index range or a sequential scan each time it runs ({@link AccessPath});
 * the filter stays above it and checks every row. The plan is generated code like the rest of an
 * enumerable plan, compiled once per cached plan: the conditions and the table reach it through
 * the plan's stash. (Calcite's own filter push-down goes through its interpreter, which compiles
 * the conditions again on every execution.)
 */
final class FolioScan extends TableScan implements EnumerableRel {
  private final List<RexNode> conditions;

  private FolioScan(RelOptCluster cluster, RelTraitSet traits, RelOptTable table, List<RexNode> conditions) {
    super(cluster, traits, List.of(), table);
    this.conditions = conditions;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new FolioScan(getCluster(), traitSet, table, conditions);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("conditions", conditions);
  }

  /** Cheaper than any other way to scan the table, so that a filtered scan is always this one. */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    return planner.getCostFactory().makeTinyCost();
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType type = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(), JavaRowFormat.ARRAY, false);
    Expression source = implementor.stash(table.unwrap(FolioTable.class), FolioTable.class);
    Expression filters = implementor.stash(conditions, List.class);
    return implementor.result(type, Blocks.toBlock(
        Expressions.call(source, "scan", implementor.getRootExpression(), filters)));
  }

  /** Turns a filter over a scan of a Folio table into a filter over a {@link FolioScan}. */
  static final class Rule extends RelOptRule {
    static final Rule INSTANCE = new Rule();

    private Rule() {
      super(operand(LogicalFilter.class, operand(LogicalTableScan.class, none())), "FolioScanRule");
    }

    @Override
    public boolean matches(RelOptRuleCall call) {
      LogicalFilter filter = call.rel(0);
      LogicalTableScan scan = call.rel(1);
      return scan.getTable().unwrap(FolioTable.class) != null && !RexUtil.containsCorrelation(filter.getCondition())
          && RexUtil.SubQueryFinder.find(filter.getCondition()) == null;
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      LogicalFilter filter = call.rel(0);
      LogicalTableScan scan = call.rel(1);
      FolioScan folio = new FolioScan(scan.getCluster(), scan.getTraitSet().replace(EnumerableConvention.INSTANCE),
          scan.getTable(), RelOptUtil.conjunctions(filter.getCondition()));
      call.transformTo(EnumerableFilter.create(folio, filter.getCondition()));
    }
  }
}
