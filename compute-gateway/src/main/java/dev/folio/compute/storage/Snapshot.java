package dev.folio.compute.storage;

import java.util.Set;

/**
 * What a statement (or, under REPEATABLE READ, a transaction) sees, as PostgreSQL's snapshots
 * say it: the work of transactions that had committed when it was taken, and its own. {@code xmax}
 * is the first transaction id not yet begun then; {@code running} the ones begun and not yet
 * ended. Ids need no other bookkeeping because one primary compute hands them all out: an id below
 * {@code xmax} that is not running has committed or aborted, and its commit-log status says which
 * (an id a killed compute left IN_PROGRESS never committed).
 *
 * <p>A compute that only reads knows no running set: its snapshot is an LSN, {@code readLsn}, and
 * it sees a transaction that committed at or below it ({@link Transactions#committedAsOf}).
 * {@code readLsn} is 0 on a primary.
 */
public record Snapshot(long xid, long xmax, Set<Long> running, long readLsn) {
  /** A primary's snapshot. */
  public Snapshot(long xid, long xmax, Set<Long> running) {
    this(xid, xmax, running, 0);
  }

  /** Whether the work of transaction {@code other} is visible. */
  public boolean sees(long other, Transactions transactions) {
    if (other == xid) {
      return true;
    }
    return other < xmax && !running.contains(other) && transactions.committedAsOf(other, readLsn);
  }
}
