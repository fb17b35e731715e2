package dev.folio.compute.storage;

import dev.folio.format.PageKey;
import dev.folio.format.page.ClogPage;
import dev.folio.format.page.ControlPage;
import dev.folio.format.page.Page;
import dev.folio.schemas.wal.ClogPageInit;
import dev.folio.schemas.wal.ClogSetStatus;
import dev.folio.schemas.wal.ControlPageInit;
import dev.folio.schemas.wal.ControlUpdate;
import dev.folio.schemas.wal.XactStatus;
import dev.folio.wal.writer.WalWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Transaction ids, their fate, and their waits. Ids come from the control page, reserved
 * {@link #XID_BATCH} at a time (one ControlUpdate per batch, so a restarted compute never reuses
 * an id: it skips the rest of a batch). A commit writes COMMITTED with its time to the
 * transaction's commit-log page and returns only once that record is durable; an abort writes
 * ABORTED and does not wait, since a transaction without a durable commit is invisible either way.
 * Concurrent commits share the log's flushes (the WAL writer's group commit).
 *
 * <p>The running transactions are known here, since this compute alone hands out ids: they make
 * {@link Snapshot}s. A transaction that changes a row first locks it ({@link #lockRow}, a lock held
 * until it ends, in memory: a killed compute's transactions end with it); one that must know how
 * another ends (a row it wants, a key it inserts) waits for it ({@link #awaitEnd}). A wait that
 * would close a cycle is a deadlock, refused at once with {@link TransactionConflict}.
 */
public final class Transactions {
  static final int XID_BATCH = 64;

  private final BufferCache pages;
  private final WalWriter writer;
  private long nextXid;
  private long reservedUpTo;
  private int nextRelation;
  /** Concurrent, so that {@link #running(long)} takes no lock: it is asked under the buffer cache's. */
  private final Set<Long> running = ConcurrentHashMap.newKeySet();
  /** Row (relation, tid) to the transaction that holds its lock. */
  private final Map<RowLock, Long> rowLocks = new HashMap<>();
  private final Map<Long, List<RowLock>> locksHeld = new HashMap<>();
  /** A waiting transaction to the one it waits for. */
  private final Map<Long, Long> waitsFor = new HashMap<>();

  private record RowLock(int relation, HeapRelation.Tid tid) {}

  public Transactions(BufferCache pages, WalWriter writer) {
    this.pages = pages;
    this.writer = writer;
    Page control = pages.read(SystemRelations.CONTROL);
    if (control == null) {
      pages.change(SystemRelations.CONTROL, 0, new ControlPageInit(1L, SystemRelations.FIRST_USER_RELATION));
      control = pages.read(SystemRelations.CONTROL);
    }
    nextXid = ControlPage.nextXid(control);
    reservedUpTo = nextXid;
    nextRelation = ControlPage.nextRelation(control);
  }

  public synchronized long begin() {
    if (nextXid >= reservedUpTo) {
      reservedUpTo = nextXid + XID_BATCH;
      pages.change(SystemRelations.CONTROL, 0, new ControlUpdate(reservedUpTo, nextRelation));
    }
    running.add(nextXid);
    return nextXid++;
  }

  /** What transaction {@code xid} sees if it looks now. */
  public synchronized Snapshot snapshot(long xid) {
    return new Snapshot(xid, nextXid, Set.copyOf(running));
  }

  /** Whether {@code xid} has begun here and not ended. */
  public boolean running(long xid) {
    return running.contains(xid);
  }

  /** Locks a row of a relation for {@code xid} until it ends, waiting while another holds it. */
  public synchronized void lockRow(long xid, int relation, HeapRelation.Tid tid) throws InterruptedException {
    RowLock row = new RowLock(relation, tid);
    while (true) {
      Long holder = rowLocks.get(row);
      if (holder == null) {
        rowLocks.put(row, xid);
        locksHeld.computeIfAbsent(xid, k -> new ArrayList<>()).add(row);
        return;
      }
      if (holder == xid) {
        return;
      }
      waitFor(xid, holder);
    }
  }

  /** Waits until transaction {@code other} has ended (at once if it is not running). */
  public synchronized void awaitEnd(long xid, long other) throws InterruptedException {
    while (running.contains(other)) {
      waitFor(xid, other);
    }
  }

  private void waitFor(long xid, long other) throws InterruptedException {
    for (Long t = other; t != null; t = waitsFor.get(t)) {
      if (t == xid) {
        throw new TransactionConflict(TransactionConflict.DEADLOCK, "deadlock detected: transaction " + xid
            + " waits for " + other + ", which waits for " + xid);
      }
    }
    waitsFor.put(xid, other);
    try {
      wait();
    } finally {
      waitsFor.remove(xid);
    }
  }

  /** How many transactions wait for another now. */
  public synchronized int waiting() {
    return waitsFor.size();
  }

  /** {@code xid} has ended: its locks go, and whoever waited for it goes on. */
  private synchronized void ended(long xid) {
    running.remove(xid);
    List<RowLock> held = locksHeld.remove(xid);
    if (held != null) {
      held.forEach(rowLocks::remove);
    }
    notifyAll();
  }

  /** Ends a transaction that wrote nothing: no record, nothing to wait for. */
  public void forget(long xid) {
    ended(xid);
  }

  /** A new relation number, logged at once (relations are rare). */
  public synchronized int newRelation() {
    int relation = nextRelation++;
    pages.change(SystemRelations.CONTROL, 0, new ControlUpdate(reservedUpTo, nextRelation));
    return relation;
  }

  /** Commits {@code xid}; returns once the commit is durable. */
  public void commit(long xid) {
    try {
      long lsn = setStatus(xid, XactStatus.COMMITTED).getLsn();
      writer.flush(lsn).join();
    } finally {
      ended(xid);
    }
  }

  public void abort(long xid) {
    try {
      setStatus(xid, XactStatus.ABORTED);
    } finally {
      ended(xid);
    }
  }

  public XactStatus status(long xid) {
    Page clog = pages.read(SystemRelations.clog(ClogPage.blockOf(xid)));
    return clog == null ? XactStatus.IN_PROGRESS : ClogPage.status(clog, xid);
  }

  private dev.folio.schemas.wal.WalRecord setStatus(long xid, XactStatus status) {
    PageKey key = SystemRelations.clog(ClogPage.blockOf(xid));
    synchronized (pages) {
      if (pages.read(key) == null) {
        pages.change(key, 0, new ClogPageInit());
      }
      return pages.change(key, xid, new ClogSetStatus(status, System.currentTimeMillis() * 1000));
    }
  }
}
