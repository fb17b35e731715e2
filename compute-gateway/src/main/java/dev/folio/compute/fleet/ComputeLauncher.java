package dev.folio.compute.fleet;

/** Starts a compute: in this JVM, or as a process of its own. */
public interface ComputeLauncher {
  RunningCompute launch(ComputeSpec spec, ComputeDirectory directory) throws Exception;
}
