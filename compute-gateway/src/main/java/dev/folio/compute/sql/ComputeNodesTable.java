package dev.folio.compute.sql;

import static dev.folio.compute.sql.RowsTable.Field.integer;
import static dev.folio.compute.sql.RowsTable.Field.text;

import dev.folio.compute.fleet.ComputeDirectory;
import dev.folio.compute.fleet.ComputeInfo;
import dev.folio.format.Lsn;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.type.SqlTypeName;

/** {@code folio.compute_nodes}: every compute of the tenant, as the registry knows them when scanned. */
final class ComputeNodesTable {
  private ComputeNodesTable() {}

  static RowsTable of(ComputeDirectory computes) {
    List<RowsTable.Field> fields = List.of(text("id"), text("branch"), text("timeline"), text("role"), text("state"),
        new RowsTable.Field("started_at", SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE),
        new RowsTable.Field("last_active", SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE), text("current_lsn"),
        new RowsTable.Field("replica_lag", SqlTypeName.BIGINT),
        new RowsTable.Field("buffer_cache_bytes", SqlTypeName.BIGINT),
        new RowsTable.Field("hit_ratio", SqlTypeName.DOUBLE), text("address"), integer("sessions"),
        new RowsTable.Field("compute_seconds", SqlTypeName.DOUBLE));
    return new RowsTable(fields, () -> {
      List<Object[]> rows = new ArrayList<>();
      for (ComputeInfo c : computes.computes()) {
        rows.add(new Object[] {c.id(), c.branch(), c.timeline(), c.role(), c.state(),
            c.startedAt() == null ? null : c.startedAt().toEpochMilli(),
            c.lastActive() == null ? null : c.lastActive().toEpochMilli(), Lsn.format(c.currentLsn()), c.replicaLag(),
            c.bufferCacheBytes(), c.hitRatio(), c.address(), c.sessions(), c.computeSeconds()});
      }
      return rows;
    });
  }
}
