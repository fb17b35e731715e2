package dev.folio.compute.fleet;

import dev.folio.format.TimelineId;

/**
 * Which compute to start: its id, its timeline, its role and, for a static compute, the LSN it
 * reads at (0 otherwise).
 */
public record ComputeSpec(String id, TimelineId timeline, Role role, long atLsn) {
  public ComputeSpec {
    if ((role == Role.STATIC) != (atLsn != 0)) {
      throw new IllegalArgumentException("a static compute, and only one, reads at a fixed LSN");
    }
  }
}
