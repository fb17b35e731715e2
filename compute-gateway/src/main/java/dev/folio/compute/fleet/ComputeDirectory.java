package dev.folio.compute.fleet;

import java.util.List;

/** Where a compute finds every compute of its tenant, for {@code folio.compute_nodes}. */
public interface ComputeDirectory {
  /** A compute that knows only itself: started on its own, without a gateway. */
  ComputeDirectory NONE = List::of;

  List<ComputeInfo> computes();
}
