package dev.folio.format.redo;

import static dev.folio.format.redo.RedoException.Reason.BAD_IMAGE;
import static dev.folio.format.redo.RedoException.Reason.BAD_OFFSET;
import static dev.folio.format.redo.RedoException.Reason.BAD_VALUE;
import static dev.folio.format.redo.RedoException.Reason.INVALID_RECORD;
import static dev.folio.format.redo.RedoException.Reason.LSN_NOT_AFTER_PAGE;
import static dev.folio.format.redo.RedoException.Reason.NO_BASE;
import static dev.folio.format.redo.RedoException.Reason.NO_SPACE;
import static dev.folio.format.redo.RedoException.Reason.WRONG_PAGE_TYPE;

import dev.folio.format.Lsn;
import dev.folio.format.page.BtreePage;
import dev.folio.format.page.ClogPage;
import dev.folio.format.page.ControlPage;
import dev.folio.format.page.HeapTuple;
import dev.folio.format.page.MetaPage;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageCorruptedException;
import dev.folio.format.page.PageLayout;
import dev.folio.format.page.PageType;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.BtreeDelete;
import dev.folio.schemas.wal.BtreeInsert;
import dev.folio.schemas.wal.BtreePageInit;
import dev.folio.schemas.wal.BtreeRewrite;
import dev.folio.schemas.wal.BtreeSetSpecial;
import dev.folio.schemas.wal.ClogPageInit;
import dev.folio.schemas.wal.ClogSetStatus;
import dev.folio.schemas.wal.ControlPageInit;
import dev.folio.schemas.wal.ControlUpdate;
import dev.folio.schemas.wal.FullPageImage;
import dev.folio.schemas.wal.HeapDelete;
import dev.folio.schemas.wal.HeapInplace;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.HeapPrune;
import dev.folio.schemas.wal.HeapUpdate;
import dev.folio.schemas.wal.MetaPageInit;
import dev.folio.schemas.wal.MetaSetBtreeRoot;
import dev.folio.schemas.wal.MetaSetRelationSize;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.schemas.wal.XactStatus;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Redo: {@code redo(page, record) -> page}, the one function that says what a WAL record does to
 * a page. The compute builds every page it changes with it, the materializer folds the log with
 * it, and the page service reconstructs pages with it, so all three agree byte for byte (DESIGN
 * invariant 3). It is pure and deterministic: it reads only the page and the record, changes
 * neither, and returns a new sealed page whose LSN is the record's. A record that does not fit
 * its page is refused with a {@link RedoException}; nothing is half-applied.
 */
public final class Redo {
  private Redo() {}

  /** Applies one record; {@code before} may be null only if the record is will_init. */
  public static Page apply(Page before, WalRecord record) {
    return applyAll(before, List.of(record));
  }

  /**
   * Applies records in LSN order to {@code base} (null if the first record is will_init), working
   * on one private copy and sealing it once: reconstruction folds long chains this way.
   */
  public static Page applyAll(Page base, List<WalRecord> records) {
    if (records.isEmpty()) {
      if (base == null) {
        throw new IllegalArgumentException("nothing to apply and no page");
      }
      return base;
    }
    byte[] work = null;
    for (WalRecord record : records) {
      String problem = WalRecords.problem(record);
      if (problem != null) {
        throw new RedoException(INVALID_RECORD, problem);
      }
      if (record.getWillInit()) {
        work = work == null ? new byte[PageLayout.PAGE_SIZE] : work;
      } else {
        if (work == null) {
          if (base == null) {
            throw new RedoException(NO_BASE, WalRecords.kind(record) + " at " + Lsn.format(record.getLsn())
                + " changes page " + WalRecords.key(record) + ", which has no earlier version, and is not will_init");
          }
          work = base.toByteArray();
        }
        long pageLsn = PageLayout.lsn(work);
        if (Lsn.compare(record.getLsn(), pageLsn) <= 0) {
          throw new RedoException(LSN_NOT_AFTER_PAGE, WalRecords.kind(record) + " at " + Lsn.format(record.getLsn())
              + " is not after the page's LSN " + Lsn.format(pageLsn));
        }
      }
      try {
        change(work, record);
      } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
        // The checks above and below should leave no way to get here; if one does, it is still a refusal.
        throw new RedoException(BAD_VALUE, WalRecords.kind(record) + " at " + Lsn.format(record.getLsn())
            + " does not fit its page: " + e.getMessage());
      }
      PageLayout.setLsn(work, record.getLsn());
    }
    return Page.seal(work);
  }

  private static void change(byte[] p, WalRecord r) {
    Object body = r.getBody();
    if (body instanceof HeapInsert b) {
      requireType(p, r, PageType.HEAP);
      insertTuple(p, r, b.getOffset(), r.getXid(), b.getInfomask(), b.getData());
    } else if (body instanceof HeapDelete b) {
      requireType(p, r, PageType.HEAP);
      int at = tupleAt(p, r, b.getOffset());
      PageLayout.putLong(p, at + HeapTuple.OFF_XMAX, r.getXid());
      if (b.getUpdatedTo() != null) {
        pointTo(p, r, at, b.getUpdatedTo().getBlock(), b.getUpdatedTo().getOffset());
      }
    } else if (body instanceof HeapUpdate b) {
      requireType(p, r, PageType.HEAP);
      if (b.getOldOffset() == b.getNewOffset()) {
        throw refuse(r, BAD_OFFSET, "old and new version at the same line pointer " + b.getOldOffset());
      }
      int at = tupleAt(p, r, b.getOldOffset());
      PageLayout.putLong(p, at + HeapTuple.OFF_XMAX, r.getXid());
      pointTo(p, r, at, r.getPage().getBlock(), b.getNewOffset());
      insertTuple(p, r, b.getNewOffset(), r.getXid(), b.getNewInfomask(), b.getNewData());
    } else if (body instanceof HeapInplace b) {
      requireType(p, r, PageType.HEAP);
      int at = tupleAt(p, r, b.getOffset());
      int dataLength = PageLayout.itemLength(p, b.getOffset()) - HeapTuple.HEADER_SIZE;
      if (b.getData().remaining() != dataLength) {
        throw refuse(r, BAD_VALUE, "in-place data of " + b.getData().remaining() + " bytes for a tuple with "
            + dataLength);
      }
      b.getData().duplicate().get(p, at + HeapTuple.HEADER_SIZE, dataLength);
    } else if (body instanceof HeapPrune b) {
      requireType(p, r, PageType.HEAP);
      int[] offsets = distinctAscending(p, r, b.getUnused());
      for (int offset : offsets) {
        PageLayout.setItem(p, offset, 0, 0, PageLayout.ITEM_UNUSED);
      }
      PageLayout.truncateUnusedLinePointers(p);
      PageLayout.compact(p);
      PageLayout.updateFreeLinesFlag(p);
    } else if (body instanceof BtreeInsert b) {
      requireType(p, r, PageType.BTREE);
      int n = PageLayout.itemCount(p);
      if (b.getOffset() < 1 || b.getOffset() > n + 1) {
        throw refuse(r, BAD_OFFSET, "offset " + b.getOffset() + " on a page with " + n + " items");
      }
      int length = b.getItem().remaining();
      requireSpace(p, r, length, true);
      int at = PageLayout.allocate(p, length);
      b.getItem().duplicate().get(p, at, length);
      PageLayout.openLinePointer(p, b.getOffset());
      PageLayout.setItem(p, b.getOffset(), at, length, PageLayout.ITEM_NORMAL);
    } else if (body instanceof BtreeDelete b) {
      requireType(p, r, PageType.BTREE);
      PageLayout.removeLinePointers(p, distinctAscending(p, r, b.getOffsets()));
      PageLayout.compact(p);
    } else if (body instanceof BtreeSetSpecial b) {
      requireType(p, r, PageType.BTREE);
      BtreePage.writeSpecial(p, b.getSpecial());
    } else if (body instanceof ClogSetStatus b) {
      requireType(p, r, PageType.CLOG);
      setClogStatus(p, r, b);
    } else if (body instanceof MetaSetRelationSize b) {
      requireType(p, r, PageType.META);
      if (b.getNblocks() < 0) {
        throw refuse(r, BAD_VALUE, "negative relation size " + b.getNblocks());
      }
      MetaPage.setNblocks(p, b.getFork(), b.getNblocks());
    } else if (body instanceof MetaSetBtreeRoot b) {
      requireType(p, r, PageType.META);
      if (b.getRoot() < 0 || b.getLevel() < 0) {
        throw refuse(r, BAD_VALUE, "b-tree root " + b.getRoot() + " at level " + b.getLevel());
      }
      MetaPage.setBtreeRoot(p, b.getRoot(), b.getLevel());
    } else if (body instanceof ControlUpdate b) {
      requireType(p, r, PageType.CONTROL);
      if (b.getNextXid() < ControlPage.nextXid(p) || b.getNextRelation() < ControlPage.nextRelation(p)) {
        throw refuse(r, BAD_VALUE, "control counters go back: next xid " + ControlPage.nextXid(p) + " -> "
            + b.getNextXid() + ", next relation " + ControlPage.nextRelation(p) + " -> " + b.getNextRelation());
      }
      ControlPage.set(p, b.getNextXid(), b.getNextRelation());
    } else {
      initialize(p, r, body);
    }
  }

  /** The will_init kinds: each builds the page from nothing. */
  private static void initialize(byte[] p, WalRecord r, Object body) {
    if (body instanceof FullPageImage b) {
      byte[] image = new byte[PageLayout.PAGE_SIZE];
      b.getImage().duplicate().get(image);
      try {
        Page.of(image);
      } catch (PageCorruptedException e) {
        throw refuse(r, BAD_IMAGE, e.getMessage());
      }
      System.arraycopy(image, 0, p, 0, image.length);
    } else if (body instanceof HeapPageInit) {
      PageLayout.init(p, PageType.HEAP, 0);
    } else if (body instanceof BtreePageInit b) {
      PageLayout.init(p, PageType.BTREE, BtreePage.SPECIAL_SIZE);
      BtreePage.writeSpecial(p, b.getSpecial());
    } else if (body instanceof BtreeRewrite b) {
      PageLayout.init(p, PageType.BTREE, BtreePage.SPECIAL_SIZE);
      BtreePage.writeSpecial(p, b.getSpecial());
      for (ByteBuffer item : b.getItems()) {
        int length = item.remaining();
        requireSpace(p, r, length, true);
        int at = PageLayout.allocate(p, length);
        item.duplicate().get(p, at, length);
        PageLayout.appendLinePointer(p);
        PageLayout.setItem(p, PageLayout.itemCount(p), at, length, PageLayout.ITEM_NORMAL);
      }
    } else if (body instanceof MetaPageInit b) {
      MetaPage.init(p, b.getKind());
    } else if (body instanceof ClogPageInit) {
      ClogPage.init(p);
    } else if (body instanceof ControlPageInit b) {
      if (b.getNextXid() < 0 || b.getNextRelation() < 0) {
        throw refuse(r, BAD_VALUE, "negative control counters");
      }
      ControlPage.init(p, b.getNextXid(), b.getNextRelation());
    } else {
      throw refuse(r, INVALID_RECORD, "unknown record body " + body.getClass().getName());
    }
  }

  private static void insertTuple(byte[] p, WalRecord r, int offset, long xmin, int infomask, ByteBuffer data) {
    int n = PageLayout.itemCount(p);
    boolean append = offset == n + 1;
    if (offset < 1 || offset > n + 1 || (!append && PageLayout.itemFlags(p, offset) != PageLayout.ITEM_UNUSED)) {
      throw refuse(r, BAD_OFFSET, "line pointer " + offset + " is neither unused nor the next one (page has " + n + ")");
    }
    if (infomask < 0 || infomask > 0xFFFF) {
      throw refuse(r, BAD_VALUE, "infomask " + infomask + " does not fit 16 bits");
    }
    int length = HeapTuple.HEADER_SIZE + data.remaining();
    requireSpace(p, r, length, append);
    int at = PageLayout.allocate(p, length);
    PageLayout.putLong(p, at + HeapTuple.OFF_XMIN, xmin);
    PageLayout.putLong(p, at + HeapTuple.OFF_XMAX, 0);
    PageLayout.putInt(p, at + HeapTuple.OFF_CTID_BLOCK, r.getPage().getBlock());
    PageLayout.putU16(p, at + HeapTuple.OFF_CTID_OFFSET, offset);
    PageLayout.putU16(p, at + HeapTuple.OFF_INFOMASK, infomask);
    data.duplicate().get(p, at + HeapTuple.HEADER_SIZE, data.remaining());
    if (append) {
      PageLayout.appendLinePointer(p);
    }
    PageLayout.setItem(p, offset, at, length, PageLayout.ITEM_NORMAL);
    if (!append) {
      PageLayout.updateFreeLinesFlag(p);
    }
  }

  private static void pointTo(byte[] p, WalRecord r, int tupleAt, int block, int offset) {
    if (block < 0 || offset < 1 || offset > 0xFFFF) {
      throw refuse(r, BAD_VALUE, "newer version at (" + block + "," + offset + ")");
    }
    PageLayout.putInt(p, tupleAt + HeapTuple.OFF_CTID_BLOCK, block);
    PageLayout.putU16(p, tupleAt + HeapTuple.OFF_CTID_OFFSET, offset);
    int infomask = PageLayout.getU16(p, tupleAt + HeapTuple.OFF_INFOMASK);
    PageLayout.putU16(p, tupleAt + HeapTuple.OFF_INFOMASK, infomask | HeapTuple.UPDATED);
  }

  /** Where the tuple at this line pointer starts; it must be a normal item. */
  private static int tupleAt(byte[] p, WalRecord r, int offset) {
    if (offset < 1 || offset > PageLayout.itemCount(p) || PageLayout.itemFlags(p, offset) != PageLayout.ITEM_NORMAL) {
      throw refuse(r, BAD_OFFSET, "no tuple at line pointer " + offset);
    }
    if (PageLayout.itemLength(p, offset) < HeapTuple.HEADER_SIZE) {
      throw refuse(r, BAD_OFFSET, "item " + offset + " is shorter than a tuple header");
    }
    return PageLayout.itemOffset(p, offset);
  }

  private static void requireSpace(byte[] p, WalRecord r, int length, boolean newLinePointer) {
    int needed = PageLayout.align(length) + (newLinePointer ? PageLayout.LINE_POINTER_SIZE : 0);
    if (length == 0 || length > PageLayout.MAX_ITEM_SIZE || needed > PageLayout.freeSpace(p)) {
      throw refuse(r, NO_SPACE, "an item of " + length + " bytes needs " + needed + " bytes; the page has "
          + PageLayout.freeSpace(p) + " free");
    }
  }

  private static int[] distinctAscending(byte[] p, WalRecord r, List<Integer> offsets) {
    int n = PageLayout.itemCount(p);
    int[] sorted = offsets.stream().mapToInt(Integer::intValue).sorted().toArray();
    for (int i = 0; i < sorted.length; i++) {
      int offset = sorted[i];
      if (offset < 1 || offset > n || PageLayout.itemFlags(p, offset) == PageLayout.ITEM_UNUSED
          || (i > 0 && sorted[i - 1] == offset)) {
        throw refuse(r, BAD_OFFSET, "line pointers " + Arrays.toString(sorted) + " on a page with " + n
            + ": each must name a used item once");
      }
    }
    return sorted;
  }

  private static void setClogStatus(byte[] p, WalRecord r, ClogSetStatus b) {
    long xid = r.getXid();
    if (xid <= 0 || ClogPage.blockOf(xid) != r.getPage().getBlock()) {
      throw refuse(r, BAD_VALUE, "xid " + xid + " does not live on commit-log block " + r.getPage().getBlock());
    }
    XactStatus current = ClogPage.status(p, ClogPage.slotOf(xid));
    boolean open = current == XactStatus.IN_PROGRESS || current == XactStatus.SUB_COMMITTED;
    if (!open || b.getStatus() == XactStatus.IN_PROGRESS) {
      throw refuse(r, BAD_VALUE, "xid " + xid + " cannot go from " + current + " to " + b.getStatus());
    }
    ClogPage.setStatus(p, ClogPage.slotOf(xid), b.getStatus(), b.getTimeMicros());
  }

  private static void requireType(byte[] p, WalRecord r, PageType type) {
    int code = PageLayout.typeCode(p);
    if (code != type.code()) {
      throw refuse(r, WRONG_PAGE_TYPE, "needs a " + type + " page, found " + PageType.fromCode(code));
    }
  }

  private static RedoException refuse(WalRecord r, RedoException.Reason reason, String message) {
    return new RedoException(reason, WalRecords.kind(r) + " at " + Lsn.format(r.getLsn()) + " on "
        + WalRecords.key(r) + ": " + message);
  }
}
