package dev.folio.compute.gateway;

import dev.folio.format.TimelineId;
import java.util.Map;

/** The tenant's branches by name, and what each timeline keeps in storage: what the gateway routes by. */
public interface BranchCatalog {
  /** Every branch: its name and its timeline. */
  Map<String, TimelineId> branches();

  /** The timeline of a branch, or null when there is no branch of that name. */
  default TimelineId timeline(String branch) {
    return branches().get(branch);
  }

  /** The bytes a timeline keeps in storage. */
  StorageBytes storage(TimelineId timeline);

  /** Layer files, and the raw WAL archived for replay. */
  record StorageBytes(long layers, long archivedWal) {}
}
