package dev.folio.compute.fleet;

import java.util.List;

/** Where a compute finds every compute and branch of its tenant, for {@code folio.compute_nodes} and psql. */
public interface ComputeDirectory {
  /** A compute that knows only itself: started on its own, without a gateway. */
  ComputeDirectory NONE = List::of;

  List<ComputeInfo> computes();

  /** The names of the tenant's branches (the databases psql's {@code \l} lists); none if not known. */
  default List<String> branches() {
    return List.of();
  }

  /**
   * Where this compute's writes go when it only reads (a hot replica, a static compute): the
   * {@code host:port/branch} of its branch's primary; null when writes are not forwarded (25006).
   */
  default String primaryAddress() {
    return null;
  }
}
