package dev.folio.compute.storage;

import dev.folio.format.Lsn;
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
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

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

  /** In a compute that only reads: the LSN it reads at now; null on a primary. */
  private final LongSupplier readLsn;
  /** In a hot replica: the commits it replayed, by xid, at their LSN (those no reader can still miss are pruned). */
  private final Map<Long, Long> commitLsns = new ConcurrentHashMap<>();
  /** In a compute that only reads: each open transaction's (negative) id, and the LSN it began at. */
  private final Map<Long, Long> readers = new ConcurrentHashMap<>();

  public Transactions(BufferCache pages, WalWriter writer) {
    this.pages = pages;
    this.writer = writer;
    this.readLsn = null;
    Page control = pages.read(SystemRelations.CONTROL);
    if (control == null) {
      pages.change(SystemRelations.CONTROL, 0, new ControlPageInit(1L, SystemRelations.FIRST_USER_RELATION));
      control = pages.read(SystemRelations.CONTROL);
    }
    nextXid = ControlPage.nextXid(control);
    reservedUpTo = nextXid;
    nextRelation = ControlPage.nextRelation(control);
  }

  /**
   * The transactions of a compute that only reads (a hot replica, a static compute): no ids are
   * taken from the control page (nothing is written); each transaction gets a negative id of its
   * own, and a snapshot is the LSN the compute reads at when it is taken.
   */
  private Transactions(BufferCache pages, LongSupplier readLsn) {
    this.pages = pages;
    this.writer = null;
    this.readLsn = readLsn;
    this.nextXid = -1;
  }

  public static Transactions readOnly(BufferCache pages, LongSupplier readLsn) {
    return new Transactions(pages, readLsn);
  }

  /** Whether this compute only reads: its transactions write nothing. */
  public boolean readOnly() {
    return readLsn != null;
  }

  public synchronized long begin() {
    if (readLsn != null) {
      long id = nextXid--;
      readers.put(id, readLsn.getAsLong());
      return id;
    }
    if (nextXid >= reservedUpTo) {
      reservedUpTo = nextXid + XID_BATCH;
      pages.change(SystemRelations.CONTROL, 0, new ControlUpdate(reservedUpTo, nextRelation));
    }
    running.add(nextXid);
    return nextXid++;
  }

  /** What transaction {@code xid} sees if it looks now. */
  public synchronized Snapshot snapshot(long xid) {
    if (readLsn != null) {
      return new Snapshot(xid, Long.MAX_VALUE, Set.of(), readLsn.getAsLong());
    }
    return new Snapshot(xid, nextXid, Set.copyOf(running));
  }

  /**
   * Whether {@code xid} committed, and, for a snapshot at {@code lsn} (not 0), at or below it: the
   * commit-log page may be newer than the snapshot, the commit's LSN tells. A commit not replayed
   * here happened before this compute began to read.
   */
  public boolean committedAsOf(long xid, long lsn) {
    if (status(xid) != XactStatus.COMMITTED) {
      return false;
    }
    Long committedAt = lsn == 0 ? null : commitLsns.get(xid);
    return committedAt == null || Lsn.compare(committedAt, lsn) <= 0;
  }

  /** A hot replica replayed a record: a commit is remembered at its LSN. */
  public void replayed(dev.folio.schemas.wal.WalRecord record) {
    if (record.getBody() instanceof ClogSetStatus status && status.getStatus() == XactStatus.COMMITTED) {
      commitLsns.put(record.getXid(), record.getLsn());
    }
  }

  /**
   * A hot replica now reads at {@code applied}: the commits every open transaction (and every later
   * one) sees are forgotten, those at or below {@code applied} and the LSN each open one began at.
   */
  public synchronized void advanced(long applied) {
    long floor = applied;
    for (long began : readers.values()) {
      floor = Lsn.min(floor, began);
    }
    long seen = floor;
    commitLsns.values().removeIf(at -> Lsn.compare(at, seen) <= 0);
    notifyAll();
  }

  /**
   * Waits until this compute reads at {@code lsn} or beyond (a replica that forwarded a write waits
   * for it to come back through the log); false if it has not within {@code timeout}.
   */
  public synchronized boolean awaitRead(long lsn, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (Lsn.compare(readLsn.getAsLong(), lsn) < 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
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
    readers.remove(xid);
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
