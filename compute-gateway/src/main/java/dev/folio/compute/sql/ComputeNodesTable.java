package dev.folio.compute.sql;

import dev.folio.compute.fleet.ComputeDirectory;
import dev.folio.compute.fleet.ComputeInfo;
import dev.folio.format.Lsn;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/** {@code folio.compute_nodes}: every compute of the tenant, as the registry knows them when scanned. */
final class ComputeNodesTable extends AbstractTable implements ScannableTable {
  private final ComputeDirectory computes;

  ComputeNodesTable(ComputeDirectory computes) {
    this.computes = computes;
  }

  @Override
  public RelDataType getRowType(RelDataTypeFactory types) {
    RelDataTypeFactory.Builder row = types.builder();
    for (String text : List.of("id", "branch", "timeline", "role", "state")) {
      row.add(text, SqlTypeName.VARCHAR).nullable(false);
    }
    row.add("started_at", SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE).nullable(true);
    row.add("last_active", SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE).nullable(true);
    row.add("current_lsn", SqlTypeName.VARCHAR).nullable(false);
    row.add("replica_lag", SqlTypeName.BIGINT).nullable(false);
    row.add("buffer_cache_bytes", SqlTypeName.BIGINT).nullable(false);
    row.add("hit_ratio", SqlTypeName.DOUBLE).nullable(false);
    row.add("address", SqlTypeName.VARCHAR).nullable(true);
    row.add("sessions", SqlTypeName.INTEGER).nullable(false);
    row.add("compute_seconds", SqlTypeName.DOUBLE).nullable(false);
    return row.build();
  }

  @Override
  public Enumerable<Object[]> scan(DataContext root) {
    List<Object[]> rows = new ArrayList<>();
    for (ComputeInfo c : computes.computes()) {
      rows.add(new Object[] {c.id(), c.branch(), c.timeline(), c.role(), c.state(),
          c.startedAt() == null ? null : c.startedAt().toEpochMilli(),
          c.lastActive() == null ? null : c.lastActive().toEpochMilli(), Lsn.format(c.currentLsn()), c.replicaLag(),
          c.bufferCacheBytes(), c.hitRatio(), c.address(), c.sessions(), c.computeSeconds()});
    }
    return Linq4j.asEnumerable(rows);
  }
}
