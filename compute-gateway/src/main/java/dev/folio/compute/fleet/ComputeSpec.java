package dev.folio.compute.fleet;

import dev.folio.format.TimelineId;
import java.time.Instant;

/**
 * Which compute to start: its id, its branch and timeline, its role and, for a static compute, the
 * LSN it reads at, or the time whose last commit it reads at (0 and null otherwise).
 */
public record ComputeSpec(String id, String branch, TimelineId timeline, Role role, long atLsn, Instant atTime) {
  public ComputeSpec {
    boolean fixed = atLsn != 0 || atTime != null;
    if ((role == Role.STATIC) != fixed || atLsn != 0 && atTime != null) {
      throw new IllegalArgumentException("a static compute, and only one, reads at a fixed LSN or time (one of them)");
    }
  }
}
