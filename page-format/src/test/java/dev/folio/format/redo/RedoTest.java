package dev.folio.format.redo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
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
import dev.folio.schemas.wal.BtreeSpecial;
import dev.folio.schemas.wal.ClogPageInit;
import dev.folio.schemas.wal.ClogSetStatus;
import dev.folio.schemas.wal.ControlPageInit;
import dev.folio.schemas.wal.ControlUpdate;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.FullPageImage;
import dev.folio.schemas.wal.HeapDelete;
import dev.folio.schemas.wal.HeapInplace;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.HeapPrune;
import dev.folio.schemas.wal.HeapUpdate;
import dev.folio.schemas.wal.ItemPointer;
import dev.folio.schemas.wal.MetaPageInit;
import dev.folio.schemas.wal.MetaSetBtreeRoot;
import dev.folio.schemas.wal.MetaSetRelationSize;
import dev.folio.schemas.wal.RelationKind;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.schemas.wal.XactStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each kind of record does to a page, checked against values worked out by hand. */
class RedoTest {
  private static final TimelineId TIMELINE = TimelineId.generate();
  private static final PageKey HEAP = new PageKey(1, 16384, Fork.MAIN, 3);
  private static final PageKey BTREE = new PageKey(1, 16385, Fork.MAIN, 1);
  private long lsn = 0x1000;

  private WalRecord record(PageKey key, long xid, Object body) {
    lsn += 0x40;
    return WalRecords.of(TIMELINE, lsn, xid, key, body);
  }

  private static ByteBuffer text(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void heapInsertPlacesATupleWithItsHeader() {
    Page empty = Redo.apply(null, record(HEAP, 0, new HeapPageInit()));
    assertThat(empty.type()).isEqualTo(PageType.HEAP);
    assertThat(empty.itemCount()).isZero();
    assertThat(empty.freeSpace()).isEqualTo(8192 - 24);

    WalRecord insert = record(HEAP, 77, new HeapInsert(1, 0x0800, text("hello")));
    Page page = Redo.apply(empty, insert);
    assertThat(page.lsnValue()).isEqualTo(insert.getLsn());
    assertThat(page.itemCount()).isEqualTo(1);
    assertThat(page.itemLength(1)).isEqualTo(24 + 5);
    assertThat(page.upper()).isEqualTo(8192 - 32);
    assertThat(page.freeSpace()).isEqualTo(8192 - 24 - 4 - 32);
    HeapTuple t = HeapTuple.read(page, 1);
    assertThat(t.xmin()).isEqualTo(77);
    assertThat(t.xmax()).isZero();
    assertThat(t.ctidBlock()).isEqualTo(3);
    assertThat(t.ctidOffset()).isEqualTo(1);
    assertThat(t.infomask()).isEqualTo(0x0800);
    assertThat(text(t.data())).isEqualTo("hello");
    assertThat(Page.of(page.toByteArray())).isEqualTo(page);
  }

  @Test
  void heapDeleteUpdateInplaceAndPrune() {
    Page page = Redo.applyAll(null, List.of(
        record(HEAP, 0, new HeapPageInit()),
        record(HEAP, 10, new HeapInsert(1, 0, text("one"))),
        record(HEAP, 11, new HeapInsert(2, 0, text("two"))),
        record(HEAP, 12, new HeapInsert(3, 0, text("three")))));

    page = Redo.apply(page, record(HEAP, 20, new HeapDelete(1, null)));
    assertThat(HeapTuple.read(page, 1).xmax()).isEqualTo(20);
    assertThat(HeapTuple.read(page, 1).infomask() & HeapTuple.UPDATED).isZero();

    page = Redo.apply(page, record(HEAP, 21, new HeapDelete(2, new ItemPointer(9, 4))));
    HeapTuple moved = HeapTuple.read(page, 2);
    assertThat(moved.xmax()).isEqualTo(21);
    assertThat(moved.ctidBlock()).isEqualTo(9);
    assertThat(moved.ctidOffset()).isEqualTo(4);
    assertThat(moved.infomask() & HeapTuple.UPDATED).isNotZero();

    page = Redo.apply(page, record(HEAP, 22, new HeapUpdate(3, 4, 0, text("THREE!"))));
    HeapTuple old = HeapTuple.read(page, 3);
    assertThat(old.xmax()).isEqualTo(22);
    assertThat(old.ctidBlock()).isEqualTo(3);
    assertThat(old.ctidOffset()).isEqualTo(4);
    HeapTuple fresh = HeapTuple.read(page, 4);
    assertThat(fresh.xmin()).isEqualTo(22);
    assertThat(text(fresh.data())).isEqualTo("THREE!");

    page = Redo.apply(page, record(HEAP, 23, new HeapInplace(4, text("three!"))));
    assertThat(text(HeapTuple.read(page, 4).data())).isEqualTo("three!");

    int freeBefore = page.freeSpace();
    page = Redo.apply(page, record(HEAP, 0, new HeapPrune(List.of(1, 3))));
    assertThat(page.itemCount()).isEqualTo(4);
    assertThat(page.itemFlags(1)).isEqualTo(PageLayout.ITEM_UNUSED);
    assertThat(page.itemFlags(3)).isEqualTo(PageLayout.ITEM_UNUSED);
    assertThat(page.flags() & PageLayout.FLAG_HAS_FREE_LINES).isNotZero();
    assertThat(page.freeSpace()).isEqualTo(freeBefore + 2 * 32);
    assertThat(text(HeapTuple.read(page, 2).data())).isEqualTo("two");
    assertThat(text(HeapTuple.read(page, 4).data())).isEqualTo("three!");

    // An unused line pointer is reused; the trailing one is dropped by a prune.
    page = Redo.apply(page, record(HEAP, 30, new HeapInsert(3, 0, text("again"))));
    assertThat(HeapTuple.read(page, 3).ctidOffset()).isEqualTo(3);
    page = Redo.apply(page, record(HEAP, 0, new HeapPrune(List.of(4))));
    assertThat(page.itemCount()).isEqualTo(3);
  }

  @Test
  void btreeItemsShiftOnInsertAndCloseOnDelete() {
    BtreeSpecial special = new BtreeSpecial(-1, 5, 0, 3);
    Page page = Redo.applyAll(null, List.of(
        record(BTREE, 0, new BtreePageInit(special)),
        record(BTREE, 0, new BtreeInsert(1, text("b"))),
        record(BTREE, 0, new BtreeInsert(1, text("a"))),
        record(BTREE, 0, new BtreeInsert(3, text("d"))),
        record(BTREE, 0, new BtreeInsert(3, text("c")))));
    assertThat(items(page)).containsExactly("a", "b", "c", "d");
    assertThat(BtreePage.special(page)).isEqualTo(special);
    assertThat(page.special()).isEqualTo(8192 - BtreePage.SPECIAL_SIZE);

    page = Redo.apply(page, record(BTREE, 0, new BtreeDelete(List.of(3, 1))));
    assertThat(items(page)).containsExactly("b", "d");
    assertThat(page.freeSpace()).isEqualTo(8192 - 16 - 24 - 2 * 4 - 2 * 8);

    page = Redo.apply(page, record(BTREE, 0, new BtreeSetSpecial(new BtreeSpecial(2, -1, 0, 1))));
    assertThat(BtreePage.special(page).getLeft()).isEqualTo(2);

    page = Redo.apply(page, record(BTREE, 0, new BtreeRewrite(new BtreeSpecial(-1, -1, 1, 2),
        List.of(text("x"), text("y")))));
    assertThat(items(page)).containsExactly("x", "y");
    assertThat(BtreePage.special(page).getLevel()).isEqualTo(1);
  }

  private static List<String> items(Page page) {
    return java.util.stream.IntStream.rangeClosed(1, page.itemCount()).mapToObj(i -> text(page.item(i))).toList();
  }

  @Test
  void fixedPages() {
    PageKey meta = new PageKey(1, 16384, Fork.META, 0);
    Page m = Redo.applyAll(null, List.of(
        record(meta, 0, new MetaPageInit(RelationKind.BTREE)),
        record(meta, 0, new MetaSetRelationSize(Fork.MAIN, 12)),
        record(meta, 0, new MetaSetBtreeRoot(3, 1))));
    assertThat(MetaPage.kind(m)).isEqualTo(RelationKind.BTREE);
    assertThat(MetaPage.nblocks(m, Fork.MAIN)).isEqualTo(12);
    assertThat(MetaPage.nblocks(m, Fork.FSM)).isZero();
    assertThat(MetaPage.btreeRoot(m)).isEqualTo(3);
    assertThat(MetaPage.btreeLevel(m)).isEqualTo(1);

    PageKey clog = new PageKey(1, 2, Fork.MAIN, 1);
    long xid = ClogPage.XIDS_PER_PAGE + 5;
    Page c = Redo.applyAll(null, List.of(
        record(clog, 0, new ClogPageInit()),
        record(clog, xid, new ClogSetStatus(XactStatus.COMMITTED, 1_764_000_000_000_000L)),
        record(clog, xid + 1, new ClogSetStatus(XactStatus.ABORTED, 1_764_000_000_000_001L))));
    assertThat(ClogPage.status(c, xid)).isEqualTo(XactStatus.COMMITTED);
    assertThat(ClogPage.timeMicros(c, xid)).isEqualTo(1_764_000_000_000_000L);
    assertThat(ClogPage.status(c, xid + 1)).isEqualTo(XactStatus.ABORTED);
    assertThat(ClogPage.status(c, xid + 2)).isEqualTo(XactStatus.IN_PROGRESS);

    PageKey control = new PageKey(1, 1, Fork.MAIN, 0);
    Page k = Redo.applyAll(null, List.of(
        record(control, 0, new ControlPageInit(100L, 16384)),
        record(control, 0, new ControlUpdate(1100L, 16390))));
    assertThat(ControlPage.nextXid(k)).isEqualTo(1100);
    assertThat(ControlPage.nextRelation(k)).isEqualTo(16390);
  }

  @Test
  void aFullPageImageReplacesThePageAndTakesTheRecordsLsn() {
    Page source = Redo.applyAll(null, List.of(
        record(HEAP, 0, new HeapPageInit()), record(HEAP, 5, new HeapInsert(1, 0, text("x")))));
    WalRecord fpi = record(HEAP, 0, new FullPageImage(ByteBuffer.wrap(source.toByteArray())));
    Page page = Redo.apply(null, fpi);
    assertThat(page.lsnValue()).isEqualTo(fpi.getLsn());
    assertThat(text(HeapTuple.read(page, 1).data())).isEqualTo("x");

    byte[] corrupt = source.toByteArray();
    corrupt[5000] ^= 1;
    assertThatThrownBy(() -> Redo.apply(null, record(HEAP, 0, new FullPageImage(ByteBuffer.wrap(corrupt)))))
        .isInstanceOfSatisfying(RedoException.class, e -> assertThat(e.reason()).isEqualTo(RedoException.Reason.BAD_IMAGE))
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void aRecordWithoutBaseAndWithoutWillInitIsRefused() {
    WalRecord orphan = record(HEAP, 9, new HeapInsert(1, 0, text("lost")));
    assertThatThrownBy(() -> Redo.apply(null, orphan))
        .isInstanceOfSatisfying(RedoException.class, e -> {
          assertThat(e.reason()).isEqualTo(RedoException.Reason.NO_BASE);
          assertThat(e.code()).isEqualTo("REDO_NO_BASE");
        })
        .hasMessageContaining("HeapInsert").hasMessageContaining(HEAP.toString()).hasMessageContaining("will_init");
  }

  @Test
  void refusesWhatWouldCorruptThePage() {
    Page heap = Redo.applyAll(null, List.of(
        record(HEAP, 0, new HeapPageInit()), record(HEAP, 1, new HeapInsert(1, 0, text("a")))));
    assertRefused(heap, record(HEAP, 2, new HeapInsert(5, 0, text("gap"))), RedoException.Reason.BAD_OFFSET);
    assertRefused(heap, record(HEAP, 2, new HeapInsert(1, 0, text("taken"))), RedoException.Reason.BAD_OFFSET);
    assertRefused(heap, record(HEAP, 2, new HeapDelete(2, null)), RedoException.Reason.BAD_OFFSET);
    assertRefused(heap, record(HEAP, 2, new HeapInplace(1, text("too long"))), RedoException.Reason.BAD_VALUE);
    assertRefused(heap, record(HEAP, 2, new HeapInsert(2, 0, ByteBuffer.allocate(9000))), RedoException.Reason.NO_SPACE);
    assertRefused(heap, record(HEAP, 2, new HeapInsert(2, 0x10000, text("x"))), RedoException.Reason.BAD_VALUE);
    assertRefused(heap, record(HEAP, 2, new BtreeInsert(1, text("x"))), RedoException.Reason.WRONG_PAGE_TYPE);
    assertRefused(heap, record(HEAP, 2, new HeapPrune(List.of(1, 1))), RedoException.Reason.BAD_OFFSET);
    assertRefused(heap, record(HEAP, 2, new HeapUpdate(1, 1, 0, text("x"))), RedoException.Reason.BAD_OFFSET);

    WalRecord stale = WalRecords.of(TIMELINE, heap.lsnValue(), 3, HEAP, new HeapInsert(2, 0, text("b")));
    assertRefused(heap, stale, RedoException.Reason.LSN_NOT_AFTER_PAGE);

    PageKey clog = new PageKey(1, 2, Fork.MAIN, 0);
    Page c = Redo.apply(null, record(clog, 0, new ClogPageInit()));
    assertRefused(c, record(clog, ClogPage.XIDS_PER_PAGE + 1, new ClogSetStatus(XactStatus.COMMITTED, 1L)),
        RedoException.Reason.BAD_VALUE);
    Page committed = Redo.apply(c, record(clog, 5, new ClogSetStatus(XactStatus.COMMITTED, 1L)));
    assertRefused(committed, record(clog, 5, new ClogSetStatus(XactStatus.ABORTED, 2L)), RedoException.Reason.BAD_VALUE);

    PageKey control = new PageKey(1, 1, Fork.MAIN, 0);
    Page k = Redo.apply(null, record(control, 0, new ControlPageInit(100L, 16384)));
    assertRefused(k, record(control, 0, new ControlUpdate(99L, 16384)), RedoException.Reason.BAD_VALUE);

    WalRecord lying = record(HEAP, 2, new HeapInsert(2, 0, text("b")));
    lying.put("willInit", true);
    assertRefused(heap, lying, RedoException.Reason.INVALID_RECORD);
  }

  private static void assertRefused(Page page, WalRecord record, RedoException.Reason reason) {
    assertThatThrownBy(() -> Redo.apply(page, record)).as(record.toString())
        .isInstanceOfSatisfying(RedoException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @Test
  void pagesFromOutsideAreVerified() {
    Page page = Redo.apply(null, record(HEAP, 0, new HeapPageInit()));
    byte[] bytes = page.toByteArray();
    bytes[100] = 1;
    assertThatThrownBy(() -> Page.of(bytes)).isInstanceOf(PageCorruptedException.class)
        .hasMessageContaining("checksum mismatch");
    assertThatThrownBy(() -> Page.of(new byte[100])).isInstanceOf(PageCorruptedException.class)
        .hasMessageContaining("8192");
    byte[] badPointers = page.toByteArray();
    PageLayout.setLower(badPointers, 26);
    PageLayout.seal(badPointers);
    assertThatThrownBy(() -> Page.of(badPointers)).isInstanceOf(PageCorruptedException.class)
        .hasMessageContaining("free-space pointers");
  }
}
