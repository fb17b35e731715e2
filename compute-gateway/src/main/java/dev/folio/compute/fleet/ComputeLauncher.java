package dev.folio.compute.fleet;

import dev.folio.format.TimelineId;

/** Starts a compute for a timeline: in this JVM, or as a process of its own. */
public interface ComputeLauncher {
  RunningCompute launch(String id, TimelineId timeline, ComputeDirectory directory) throws Exception;
}
