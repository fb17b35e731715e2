package dev.folio.compute.storage;

import dev.folio.format.PageKey;
import dev.folio.format.page.HeapTuple;
import dev.folio.format.page.MetaPage;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapDelete;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.ItemPointer;
import dev.folio.schemas.wal.MetaPageInit;
import dev.folio.schemas.wal.MetaSetRelationSize;
import dev.folio.schemas.wal.RelationKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * A heap relation: tuples on slotted pages in the main fork, its size on its metapage (META fork,
 * block 0). An insert goes to the last page if it fits, else to a new page (PostgreSQL's target
 * block, without a free space map yet); every change is one WAL record through the
 * {@link BufferCache}. Visibility is PostgreSQL's: a tuple is seen if the reader's
 * {@link Snapshot} sees its inserter and does not see its deleter. Writers look past snapshots at
 * the newest state of a tuple ({@link #version}).
 */
public final class HeapRelation {
  /** Where a tuple is: block and line pointer. */
  public record Tid(int block, int offset) {}

  /** A visible tuple and where it is. */
  public record Row(Tid tid, byte[] data) {}

  /** A tuple's header as it is now: its inserter, its deleter (0 for none), its newer version if updated. */
  public record Version(long xmin, long xmax, Tid updatedTo) {}

  /** How many blocks a sequential scan asks for at once. */
  private static final int PREFETCH = 32;

  private final BufferCache pages;
  private final Transactions transactions;
  private final int database;
  private final int relation;

  public HeapRelation(BufferCache pages, Transactions transactions, int database, int relation) {
    this.pages = pages;
    this.transactions = transactions;
    this.database = database;
    this.relation = relation;
  }

  /** Creates an empty heap relation under a new relation number. */
  public static HeapRelation create(BufferCache pages, Transactions transactions, int database) {
    return createAt(pages, transactions, database, transactions.newRelation());
  }

  /** Creates an empty heap relation under a relation number already reserved (system relations). */
  public static HeapRelation createAt(BufferCache pages, Transactions transactions, int database, int relation) {
    pages.change(new PageKey(database, relation, Fork.META, 0), 0, new MetaPageInit(RelationKind.HEAP));
    return new HeapRelation(pages, transactions, database, relation);
  }

  /** Whether the relation exists (has its metapage). */
  public boolean exists() {
    return pages.read(meta()) != null;
  }

  public int relation() {
    return relation;
  }

  private PageKey meta() {
    return new PageKey(database, relation, Fork.META, 0);
  }

  private PageKey block(int block) {
    return new PageKey(database, relation, Fork.MAIN, block);
  }

  public int blocks() {
    Page meta = pages.read(meta());
    if (meta == null) {
      throw new IllegalStateException("relation " + relation + " of database " + database + " has no metapage");
    }
    return MetaPage.nblocks(meta, Fork.MAIN);
  }

  public Tid insert(long xid, byte[] data) {
    int needed = PageLayout.align(HeapTuple.HEADER_SIZE + data.length) + PageLayout.LINE_POINTER_SIZE;
    if (needed > PageLayout.MAX_ITEM_SIZE) {
      throw new IllegalArgumentException("a row of " + data.length + " bytes does not fit a page");
    }
    synchronized (pages) {
      int n = blocks();
      int target = n - 1;
      Page page = target >= 0 ? pages.read(block(target)) : null;
      if (page == null || page.freeSpace() < needed) {
        target = n;
        pages.change(block(target), 0, new HeapPageInit());
        pages.change(meta(), 0, new MetaSetRelationSize(Fork.MAIN, n + 1));
        page = pages.read(block(target));
      }
      int offset = page.itemCount() + 1;
      pages.change(block(target), xid, new HeapInsert(offset, 0, ByteBuffer.wrap(data)));
      return new Tid(target, offset);
    }
  }

  public void delete(long xid, Tid tid) {
    pages.change(block(tid.block()), xid, new HeapDelete(tid.offset(), null));
  }

  /** Deletes the old version of an updated row, pointing it to the new one. */
  public void replace(long xid, Tid old, Tid updatedTo) {
    pages.change(block(old.block()), xid, new HeapDelete(old.offset(),
        new ItemPointer(updatedTo.block(), updatedTo.offset())));
  }

  /** The header of the tuple at {@code tid} as it is now, whatever any snapshot sees. */
  public Version version(Tid tid) {
    HeapTuple t = HeapTuple.read(pages.read(block(tid.block())), tid.offset());
    return new Version(t.xmin(), t.xmax(), (t.infomask() & HeapTuple.UPDATED) != 0
        ? new Tid(t.ctidBlock(), t.ctidOffset()) : null);
  }

  /** Every tuple visible to {@code reader}, in physical order. */
  public List<Row> scan(Snapshot reader) {
    List<Row> rows = new ArrayList<>();
    int n = blocks();
    for (int b = 0; b < n; b++) {
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("the scan of relation " + relation + " was canceled");
      }
      if (b % PREFETCH == 0 && n - b > 1) {
        List<PageKey> ahead = new ArrayList<>();
        for (int next = b; next < Math.min(n, b + PREFETCH); next++) {
          ahead.add(block(next));
        }
        pages.prefetch(ahead);
      }
      Page page = pages.read(block(b));
      for (int i = 1; i <= page.itemCount(); i++) {
        if (page.itemFlags(i) != PageLayout.ITEM_NORMAL) {
          continue;
        }
        HeapTuple t = HeapTuple.read(page, i);
        if (visible(t, reader)) {
          rows.add(new Row(new Tid(b, i), data(t)));
        }
      }
    }
    return rows;
  }

  /** The tuple at {@code tid} if {@code reader} sees it, else null. */
  public byte[] fetch(Tid tid, Snapshot reader) {
    Page page = pages.read(block(tid.block()));
    if (page == null || tid.offset() > page.itemCount() || page.itemFlags(tid.offset()) != PageLayout.ITEM_NORMAL) {
      return null;
    }
    HeapTuple t = HeapTuple.read(page, tid.offset());
    return visible(t, reader) ? data(t) : null;
  }

  private static byte[] data(HeapTuple t) {
    byte[] data = new byte[t.data().remaining()];
    t.data().duplicate().get(data);
    return data;
  }

  private boolean visible(HeapTuple t, Snapshot reader) {
    return reader.sees(t.xmin(), transactions) && (t.xmax() == 0 || !reader.sees(t.xmax(), transactions));
  }
}
