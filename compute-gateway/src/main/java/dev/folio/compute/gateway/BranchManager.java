package dev.folio.compute.gateway;

import dev.folio.format.TimelineId;
import java.time.Instant;
import java.util.List;

/**
 * Branches made and unmade: each branch names a timeline, which may have branched from another at
 * an LSN. Creating a branch writes metadata and copies no data. Errors are {@code PgException}s
 * with PostgreSQL's codes (3D000 no such branch, 42P04 it exists already, 2BP01 it has children,
 * 22023 a bad LSN, time or name).
 */
public interface BranchManager extends BranchCatalog {
  /**
   * A branch as {@code branch list} shows it; {@code parent} null for a root; {@code branchLsn}
   * where its own log starts (its branch point, or where a replay rebuilt it); {@code retainedFromLsn}
   * the oldest LSN reads, branches and restores may use (garbage collection keeps what they need).
   */
  record Branch(String name, TimelineId timeline, String parent, long branchLsn, long retainedFromLsn,
      Instant createdAt, StorageBytes storage) {}

  /** Every branch, parents before their children. */
  List<Branch> list();

  /**
   * A new branch of {@code parent}: at {@code lsn}, or at the last commit at or before {@code time},
   * or (both null) at the parent's last flushed LSN, so that every commit acknowledged before this
   * call is in it.
   */
  Branch create(String name, String parent, Long lsn, Instant time);

  /** Deletes a branch (with {@code cascade}, its descendants too); returns the names deleted. */
  List<String> delete(String name, boolean cascade);

  /**
   * Rewinds a branch to the last commit at or before {@code time}: the name goes to a new timeline
   * branched there, and the old history stays as a backup branch, which is returned.
   */
  Branch restore(String name, Instant time);

  /**
   * The LSN of the branch's last commit at or before {@code time}, from the commits the log still
   * holds or, for older times, from the WAL archive.
   */
  long lsnAt(String branch, Instant time);

  /**
   * A replay as the API shows it. {@code state}: planning, running, naming, verifying, succeeded
   * or failed; events read of those planned (archived records plus the Kafka range), for progress;
   * with verification, every difference found ({@code verified} pages compared).
   */
  record Replay(String id, String branch, String into, long targetLsn, String state, long eventsRead,
      long eventsTotal, long pages, long recordsRefused, Long verified, List<String> differences, String errorCode,
      String error, Instant startedAt, Instant finishedAt) {}

  /**
   * Starts rebuilding {@code branch}'s pages as of {@code lsn} (or its last commit at or before
   * {@code time}, or its last flushed LSN) from the log alone, into the new branch {@code into};
   * {@code verify} then compares every page with the branch's own at that LSN. {@code flink} is a
   * JobManager's REST address to run the job on, or null for a Flink in this process.
   */
  Replay replay(String branch, Long lsn, Instant time, String into, boolean verify, String flink);

  /** A replay started here, by id (UNDEFINED_OBJECT if there is none). */
  Replay replay(String id);

  /** Every replay started here, oldest first. */
  List<Replay> replays();
}
