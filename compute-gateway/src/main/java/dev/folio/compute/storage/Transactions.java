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

/**
 * Transaction ids and their fate. Ids come from the control page, reserved {@link #XID_BATCH} at
 * a time (one ControlUpdate per batch, so a restarted compute never reuses an id: it skips the
 * rest of a batch). A commit writes COMMITTED with its time to the transaction's commit-log page
 * and returns only once that record is durable; an abort writes ABORTED and does not wait, since
 * a transaction without a durable commit is invisible either way.
 */
public final class Transactions {
  static final int XID_BATCH = 64;

  private final BufferCache pages;
  private final WalWriter writer;
  private long nextXid;
  private long reservedUpTo;
  private int nextRelation;

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
    return nextXid++;
  }

  /** A new relation number, logged at once (relations are rare). */
  public synchronized int newRelation() {
    int relation = nextRelation++;
    pages.change(SystemRelations.CONTROL, 0, new ControlUpdate(reservedUpTo, nextRelation));
    return relation;
  }

  /** Commits {@code xid}; returns once the commit is durable. */
  public void commit(long xid) {
    long lsn = setStatus(xid, XactStatus.COMMITTED).getLsn();
    writer.flush(lsn).join();
  }

  public void abort(long xid) {
    setStatus(xid, XactStatus.ABORTED);
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
