package dev.folio.flink.materializer;

import java.io.Serializable;

/**
 * Hooks where tests make the job fail, to prove that a failure anywhere replays from the last
 * checkpoint and produces the same pages. The job runs with {@link #NONE}.
 */
public interface FaultInjector extends Serializable {
  FaultInjector NONE = new FaultInjector() {};

  /** Called by the folder after it folded a record. */
  default void afterFold(int subtask, long lsn) {}

  /** Called by the committer before it writes the indexes of a completed checkpoint. */
  default void beforeCommit(long checkpointId) {}
}
