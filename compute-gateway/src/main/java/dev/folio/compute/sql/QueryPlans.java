package dev.folio.compute.sql;

import dev.folio.compute.session.Column;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicBoolean;
import io.micrometer.core.instrument.Counter;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableInterpretable;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.RelVisitor;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.runtime.Bindable;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.Planner;
import org.apache.calcite.tools.Programs;

/**
 * A session's query plans: each query text (parameters as {@code ?}) is parsed, validated,
 * optimized and compiled by Calcite once, into bindable code over the session's tables, and run
 * many times with its parameters in the {@link DataContext}. Planning costs milliseconds and
 * compiling tens of them; running a cached plan costs what its operators do. The plans and the
 * schema they were built on are dropped whenever the catalog changes.
 */
final class QueryPlans {
  private static final int MAX_PLANS = 256;

  /**
   * A compiled query: its code, the values its code expects to find in the context by name (Calcite
   * stashes some constants there), its result columns, the SQL types of its parameters.
   */
  record Plan(Bindable<Object> code, Map<String, Object> stash, List<Column> columns, List<ColumnType> types,
      Map<Integer, SqlTypeName> parameterTypes) {}

  /** Puts the session's tables, as of a catalog, into a fresh root schema. */
  interface Tables {
    void addTo(SchemaPlus root);
  }

  private final SqlParser.Config parser;
  private final RelDataTypeSystem types;
  private final JavaTypeFactory typeFactory;
  private final LinkedHashMap<String, Plan> plans = new LinkedHashMap<>(64, 0.75f, true);
  private SchemaPlus root;
  private String catalog;

  private final Counter compiled;

  QueryPlans(SqlParser.Config parser, RelDataTypeSystem types, Counter compiled) {
    this.compiled = compiled;
    this.parser = parser;
    this.types = types;
    this.typeFactory = new JavaTypeFactoryImpl(types);
  }

  /** The plan of {@code sql} over the tables of {@code catalogSignature}, planned if need be. */
  Plan plan(String sql, String catalogSignature, Tables tables) throws Exception {
    if (!catalogSignature.equals(catalog)) {
      plans.clear();
      root = CalciteSchema.createRootSchema(true, false).plus();
      tables.addTo(root);
      catalog = catalogSignature;
    }
    Plan plan = plans.get(sql);
    if (plan == null) {
      plan = compile(sql);
      compiled.increment();
      plans.put(sql, plan);
      if (plans.size() > MAX_PLANS) {
        plans.remove(plans.keySet().iterator().next());
      }
    }
    return plan;
  }

  private Plan compile(String sql) throws Exception {
    FrameworkConfig config = Frameworks.newConfigBuilder().defaultSchema(root).parserConfig(parser).typeSystem(types)
        .programs(Programs.standard()).build();
    Planner planner = Frameworks.getPlanner(config);
    var validated = planner.validateAndGetType(planner.parse(sql));
    RelRoot relRoot = planner.rel(validated.getKey());
    RelNode logical = relRoot.project();
    logical.getCluster().getPlanner().addRule(FolioScan.Rule.INSTANCE);
    logical.getCluster().getPlanner().addRule(FolioIndexJoin.Rule.SCAN);
    logical.getCluster().getPlanner().addRule(FolioIndexJoin.Rule.PROJECTED_SCAN);
    RelNode physical = planner.transform(0,
        logical.getTraitSet().replace(EnumerableConvention.INSTANCE).simplify(), logical);
    Map<String, Object> stash = new HashMap<>();
    Bindable<Object> code = EnumerableInterpretable.toBindable(stash, null, (EnumerableRel) physical,
        EnumerableRel.Prefer.ARRAY);
    List<ColumnType> types = types(logical);
    return new Plan(code, Map.copyOf(stash), columns(validated.getKey(), validated.getValue(), types), types,
        parameterTypes(logical));
  }

  private static List<Column> columns(SqlNode validated, RelDataType type, List<ColumnType> types) {
    List<String> names = FolioSqlEngine.names(validated, type);
    List<Column> out = new ArrayList<>();
    for (var f : type.getFieldList()) {
      ColumnType t = types.get(f.getIndex());
      out.add(new Column(names.get(f.getIndex()), t.oid, t.size));
    }
    return out;
  }

  /**
   * The PostgreSQL type of each result column: a column taken as it is from a table keeps its
   * declared type (varchar, char(n)…, which Calcite's types do not tell apart from literals'); the
   * rest are typed by what Calcite computes.
   */
  private static List<ColumnType> types(RelNode rel) {
    RelMetadataQuery mq = rel.getCluster().getMetadataQuery();
    List<ColumnType> out = new ArrayList<>();
    for (var f : rel.getRowType().getFieldList()) {
      RelColumnOrigin origin = mq.getColumnOrigin(rel, f.getIndex());
      FolioTable table = origin == null || origin.isDerived() ? null : origin.getOriginTable().unwrap(FolioTable.class);
      out.add(table != null ? table.columnType(origin.getOriginColumnOrdinal())
          : FolioSqlEngine.columnType(f.getType()));
    }
    return out;
  }

  private static Map<Integer, SqlTypeName> parameterTypes(RelNode rel) {
    Map<Integer, SqlTypeName> found = new HashMap<>();
    RexShuttle collector = new RexShuttle() {
      @Override
      public RexNode visitDynamicParam(RexDynamicParam p) {
        found.put(p.getIndex(), p.getType().getSqlTypeName());
        return p;
      }
    };
    new RelVisitor() {
      @Override
      public void visit(RelNode node, int ordinal, RelNode parent) {
        node.accept(collector);
        super.visit(node, ordinal, parent);
      }
    }.go(rel);
    return found;
  }

  /** Runs a plan with parameter values in text form; returns its rows. */
  List<Object[]> run(Plan plan, List<String> parameters) {
    Object[] values = new Object[parameters.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = value(parameters.get(i), plan.parameterTypes().getOrDefault(i, SqlTypeName.VARCHAR));
    }
    DataContext context = new DataContext() {
      @Override
      public SchemaPlus getRootSchema() {
        return root;
      }

      @Override
      public JavaTypeFactory getTypeFactory() {
        return typeFactory;
      }

      @Override
      public QueryProvider getQueryProvider() {
        return null;
      }

      @Override
      public Object get(String name) {
        if (plan.stash().containsKey(name)) {
          return plan.stash().get(name);
        }
        if (name.startsWith("?")) {
          return values[Integer.parseInt(name.substring(1))];
        }
        if (Variable.TIME_ZONE.camelName.equals(name)) {
          return TimeZone.getTimeZone("UTC");
        }
        if (Variable.CANCEL_FLAG.camelName.equals(name)) {
          return new AtomicBoolean();
        }
        if (Variable.CURRENT_TIMESTAMP.camelName.equals(name) || Variable.LOCAL_TIMESTAMP.camelName.equals(name)
            || Variable.UTC_TIMESTAMP.camelName.equals(name)) {
          return System.currentTimeMillis();
        }
        return null;
      }
    };
    List<Object[]> rows = new ArrayList<>();
    for (Object row : plan.code().bind(context)) {
      rows.add(row instanceof Object[] a ? a : new Object[] {row});
    }
    return rows;
  }

  /** A parameter's value as Calcite represents its type (a date as its day number…), from its text. */
  private static Object value(String text, SqlTypeName type) {
    if (text == null) {
      return null;
    }
    return switch (type) {
      case TINYINT -> ((Short) ColumnType.INT2.coerce(text, -1)).byteValue();
      case SMALLINT -> ColumnType.INT2.coerce(text, -1);
      case INTEGER -> ColumnType.INT4.coerce(text, -1);
      case BIGINT -> ColumnType.INT8.coerce(text, -1);
      case REAL -> ColumnType.FLOAT4.coerce(text, -1);
      case DOUBLE, FLOAT -> ColumnType.FLOAT8.coerce(text, -1);
      case DECIMAL -> ColumnType.NUMERIC.coerce(text, -1);
      case BOOLEAN -> ColumnType.BOOL.coerce(text, -1);
      case DATE -> ColumnType.DATE.coerce(text, -1);
      case TIMESTAMP -> ColumnType.TIMESTAMP.coerce(text, -1);
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> ColumnType.TIMESTAMPTZ.coerce(text, -1);
      case BINARY, VARBINARY -> ColumnType.BYTEA.coerce(text, -1);
      default -> text;
    };
  }
}
