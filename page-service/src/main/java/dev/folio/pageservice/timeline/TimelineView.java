package dev.folio.pageservice.timeline;

import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerMap;

/** A timeline of a tenant as its newest committed index describes it, with its layers open. */
public record TimelineView(String tenant, TimelineIndex index, LayerMap layers) {
  public long materializedLsn() {
    return index.consistentLsn();
  }

  public TimelineIndex.Ancestor ancestor() {
    return index.ancestor();
  }
}
