package dev.folio.format.redo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.HeapTuple;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import dev.folio.format.page.PageType;
import dev.folio.format.testing.WalGenerator;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.BtreeDelete;
import dev.folio.schemas.wal.BtreeInsert;
import dev.folio.schemas.wal.BtreeRewrite;
import dev.folio.schemas.wal.FullPageImage;
import dev.folio.schemas.wal.HeapDelete;
import dev.folio.schemas.wal.HeapInplace;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.HeapPrune;
import dev.folio.schemas.wal.HeapUpdate;
import dev.folio.schemas.wal.WalRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Redo's invariants over random valid histories of pages of every type. */
class RedoPropertiesTest {

  /** (a) Redo is deterministic and changes nothing but the page it returns. */
  @Property(tries = 200)
  void redoIsPureAndDeterministic(@ForAll long seed) {
    WalGenerator wal = new WalGenerator(new Random(seed), TimelineId.generate(), 3, 2);
    Map<PageKey, Page> pages = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      WalRecord record = wal.next();
      PageKey key = WalRecords.key(record);
      Page before = pages.get(key);
      byte[] beforeBytes = before == null ? null : before.toByteArray();
      byte[] recordBytes = WalCodec.get().encode(record);

      Page once = Redo.apply(before, record);
      Page twice = Redo.apply(before, WalCodec.get().decodeRecord(recordBytes));

      assertThat(twice).isEqualTo(once);
      assertThat(Redo.apply(before, record)).isEqualTo(once);
      if (before != null) {
        assertThat(before.toByteArray()).isEqualTo(beforeBytes);
      }
      assertThat(WalCodec.get().encode(record)).isEqualTo(recordBytes);
      assertThat(once.lsnValue()).isEqualTo(record.getLsn());
      assertThat(Page.of(once.toByteArray())).isEqualTo(once);
      assertThat(once).isEqualTo(wal.page(key));
      pages.put(key, once);
    }
  }

  /** Folding a chain at once equals applying its records one by one. */
  @Property(tries = 100)
  void applyAllEqualsOneByOne(@ForAll long seed) {
    WalGenerator wal = new WalGenerator(new Random(seed), TimelineId.generate(), 1, 0);
    Map<PageKey, List<WalRecord>> chains = new HashMap<>();
    for (WalRecord r : wal.next(150)) {
      chains.computeIfAbsent(WalRecords.key(r), k -> new ArrayList<>()).add(r);
    }
    for (List<WalRecord> chain : chains.values()) {
      Page stepwise = null;
      for (WalRecord r : chain) {
        stepwise = Redo.apply(stepwise, r);
      }
      assertThat(Redo.applyAll(null, chain)).isEqualTo(stepwise);
    }
  }

  /**
   * Heap and b-tree pages hold exactly what a plain model of their records says: the tuples with
   * their headers at their line pointers, the b-tree items in order.
   */
  @Property(tries = 100)
  void pagesMatchAModelOfTheirRecords(@ForAll long seed) {
    WalGenerator wal = new WalGenerator(new Random(seed), TimelineId.generate(), 2, 2);
    Map<PageKey, TreeMap<Integer, Tuple>> heaps = new HashMap<>();
    Map<PageKey, List<ByteBuffer>> btrees = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      WalRecord r = wal.next();
      PageKey key = WalRecords.key(r);
      Page page = wal.page(key);
      Object body = r.getBody();
      if (page.type() == PageType.HEAP) {
        TreeMap<Integer, Tuple> model = body instanceof HeapPageInit ? new TreeMap<>()
            : body instanceof FullPageImage ? heaps.get(key) : heaps.get(key);
        applyHeap(model, key, r);
        heaps.put(key, model);
        assertHeapMatches(page, model);
      } else if (page.type() == PageType.BTREE) {
        List<ByteBuffer> model = btrees.computeIfAbsent(key, k -> new ArrayList<>());
        applyBtree(model, r);
        List<ByteBuffer> actual = new ArrayList<>();
        for (int n = 1; n <= page.itemCount(); n++) {
          actual.add(page.item(n));
        }
        assertThat(actual).isEqualTo(model);
      }
    }
  }

  private record Tuple(long xmin, long xmax, int ctidBlock, int ctidOffset, int infomask, ByteBuffer data) {}

  private static void applyHeap(TreeMap<Integer, Tuple> model, PageKey key, WalRecord r) {
    Object body = r.getBody();
    if (body instanceof HeapInsert b) {
      model.put(b.getOffset(), new Tuple(r.getXid(), 0, key.block(), b.getOffset(), b.getInfomask(), b.getData()));
    } else if (body instanceof HeapDelete b) {
      Tuple t = model.get(b.getOffset());
      model.put(b.getOffset(), b.getUpdatedTo() == null ? new Tuple(t.xmin, r.getXid(), t.ctidBlock, t.ctidOffset,
          t.infomask, t.data) : new Tuple(t.xmin, r.getXid(), b.getUpdatedTo().getBlock(),
          b.getUpdatedTo().getOffset(), t.infomask | HeapTuple.UPDATED, t.data));
    } else if (body instanceof HeapUpdate b) {
      Tuple t = model.get(b.getOldOffset());
      model.put(b.getOldOffset(), new Tuple(t.xmin, r.getXid(), key.block(), b.getNewOffset(),
          t.infomask | HeapTuple.UPDATED, t.data));
      model.put(b.getNewOffset(), new Tuple(r.getXid(), 0, key.block(), b.getNewOffset(), b.getNewInfomask(),
          b.getNewData()));
    } else if (body instanceof HeapInplace b) {
      Tuple t = model.get(b.getOffset());
      model.put(b.getOffset(), new Tuple(t.xmin, t.xmax, t.ctidBlock, t.ctidOffset, t.infomask, b.getData()));
    } else if (body instanceof HeapPrune b) {
      b.getUnused().forEach(model::remove);
    }
  }

  private static void assertHeapMatches(Page page, TreeMap<Integer, Tuple> model) {
    int expectedCount = model.isEmpty() ? 0 : model.lastKey();
    assertThat(page.itemCount()).isGreaterThanOrEqualTo(expectedCount);
    for (int n = 1; n <= page.itemCount(); n++) {
      Tuple t = model.get(n);
      if (t == null) {
        assertThat(page.itemFlags(n)).isEqualTo(PageLayout.ITEM_UNUSED);
        continue;
      }
      HeapTuple actual = HeapTuple.read(page, n);
      assertThat(new Tuple(actual.xmin(), actual.xmax(), actual.ctidBlock(), actual.ctidOffset(), actual.infomask(),
          actual.data())).isEqualTo(t);
    }
    int used = 0;
    for (int n = 1; n <= page.itemCount(); n++) {
      used += page.itemFlags(n) == PageLayout.ITEM_UNUSED ? 0 : PageLayout.align(page.itemLength(n));
    }
    assertThat(page.freeSpace()).isEqualTo(8192 - 24 - 4 * page.itemCount() - used);
  }

  private static void applyBtree(List<ByteBuffer> model, WalRecord r) {
    Object body = r.getBody();
    if (body instanceof BtreeInsert b) {
      model.add(b.getOffset() - 1, b.getItem());
    } else if (body instanceof BtreeDelete b) {
      b.getOffsets().stream().sorted((x, y) -> y - x).forEach(o -> model.remove((int) o - 1));
    } else if (body instanceof BtreeRewrite b) {
      model.clear();
      model.addAll(b.getItems());
    } else if (r.getWillInit()) {
      model.clear();
    }
  }
}
