package dev.folio.format.testing;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.ClogPage;
import dev.folio.format.page.ControlPage;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import dev.folio.format.redo.Redo;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random but valid WAL: a stream of records over a set of pages of every type, each record one a
 * compute could write to the page as it stands. It keeps the current version of every page (built
 * with redo) to know what is valid next. Deterministic for a given seed.
 */
public final class WalGenerator {
  private final Random random;
  private final TimelineId timeline;
  private final List<PageKey> keys = new ArrayList<>();
  private final Map<PageKey, Page> pages = new HashMap<>();
  private long lsn;
  private long xid = 1000;
  /** The transaction whose status the last ClogSetStatus chosen sets: it is that record's xid. */
  private long clogXid;

  /** Kinds of page the generator writes, by the relation they live in. */
  private static final int HEAP_REL = 16384;
  private static final int BTREE_REL = 16385;
  private static final int CLOG_REL = 2;
  private static final int CONTROL_REL = 1;

  public WalGenerator(Random random, TimelineId timeline, int heapPages, int btreePages) {
    this.random = random;
    this.timeline = timeline;
    this.lsn = 1 + random.nextInt(1000);
    for (int b = 0; b < heapPages; b++) {
      keys.add(new PageKey(1, HEAP_REL, Fork.MAIN, b));
    }
    for (int b = 0; b < btreePages; b++) {
      keys.add(new PageKey(1, BTREE_REL, Fork.MAIN, b));
    }
    keys.add(new PageKey(1, HEAP_REL, Fork.META, 0));
    keys.add(new PageKey(1, CLOG_REL, Fork.MAIN, 1));
    keys.add(new PageKey(1, CONTROL_REL, Fork.MAIN, 0));
  }

  public TimelineId timeline() {
    return timeline;
  }

  public List<PageKey> keys() {
    return keys;
  }

  /** The current version of a page, or null if it was never written. */
  public Page page(PageKey key) {
    return pages.get(key);
  }

  public List<WalRecord> next(int count) {
    List<WalRecord> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next());
    }
    return out;
  }

  /** One more record, already applied to the generator's own copy of its page. */
  public WalRecord next() {
    PageKey key = keys.get(random.nextInt(keys.size()));
    Page page = pages.get(key);
    Object body = page == null || random.nextInt(200) == 0 ? init(key) : change(key, page);
    if (body == null) {
      body = init(key);
    }
    lsn += 1 + random.nextInt(300);
    long recordXid = body instanceof ClogSetStatus ? clogXid : ++xid;
    WalRecord record = WalRecords.of(timeline, lsn, recordXid, key, body);
    pages.put(key, Redo.apply(page, record));
    return record;
  }

  private Object init(PageKey key) {
    if (key.fork() == Fork.META) {
      return new MetaPageInit(RelationKind.HEAP);
    }
    switch (key.relation()) {
      case HEAP_REL:
        return random.nextInt(10) == 0 && pages.get(key) != null ? fullPageImage(pages.get(key))
            : new HeapPageInit();
      case BTREE_REL:
        if (random.nextBoolean()) {
          return new BtreePageInit(special());
        }
        List<ByteBuffer> items = new ArrayList<>();
        for (int i = random.nextInt(20); i > 0; i--) {
          items.add(bytes(1 + random.nextInt(40)));
        }
        return new BtreeRewrite(special(), items);
      case CLOG_REL:
        return new ClogPageInit();
      default:
        return new ControlPageInit(xid, 16384 + random.nextInt(100));
    }
  }

  private Object change(PageKey key, Page page) {
    switch (page.type()) {
      case HEAP:
        return heapChange(page);
      case BTREE:
        return btreeChange(page);
      case META:
        return random.nextBoolean()
            ? new MetaSetRelationSize(Fork.values()[random.nextInt(Fork.values().length)], random.nextInt(1000))
            : new MetaSetBtreeRoot(random.nextInt(100), random.nextInt(4));
      case CLOG:
        for (int attempt = 0; attempt < 20; attempt++) {
          long candidate = (long) key.block() * ClogPage.XIDS_PER_PAGE + random.nextInt(ClogPage.XIDS_PER_PAGE);
          XactStatus current = ClogPage.status(page, candidate);
          if (candidate > 0 && (current == XactStatus.IN_PROGRESS || current == XactStatus.SUB_COMMITTED)) {
            clogXid = candidate;
            XactStatus[] ends = {XactStatus.COMMITTED, XactStatus.ABORTED, XactStatus.SUB_COMMITTED};
            return new ClogSetStatus(ends[random.nextInt(ends.length)], 1_700_000_000_000_000L + lsn);
          }
        }
        return null;
      default:
        return new ControlUpdate(ControlPage.nextXid(page) + random.nextInt(1000),
            ControlPage.nextRelation(page) + random.nextInt(3));
    }
  }

  private Object heapChange(Page page) {
    List<Integer> normal = new ArrayList<>();
    List<Integer> unused = new ArrayList<>();
    for (int i = 1; i <= page.itemCount(); i++) {
      (page.itemFlags(i) == PageLayout.ITEM_NORMAL ? normal : unused).add(i);
    }
    int dataLength = random.nextInt(random.nextInt(8) == 0 ? 2000 : 120);
    int room = PageLayout.align(24 + dataLength) + 4;
    int choice = random.nextInt(10);
    if (choice < 4 && room <= page.freeSpace()) {
      int offset = !unused.isEmpty() && random.nextBoolean() ? unused.get(random.nextInt(unused.size()))
          : page.itemCount() + 1;
      return new HeapInsert(offset, random.nextInt(0x10000), bytes(dataLength));
    }
    if (normal.isEmpty()) {
      return random.nextInt(20) == 0 ? fullPageImage(page) : null;
    }
    int target = normal.get(random.nextInt(normal.size()));
    switch (choice) {
      case 4:
      case 5:
        return new HeapDelete(target, random.nextBoolean() ? null
            : new ItemPointer(random.nextInt(100), 1 + random.nextInt(200)));
      case 6:
        if (room <= page.freeSpace()) {
          return new HeapUpdate(target, page.itemCount() + 1, random.nextInt(0x10000), bytes(dataLength));
        }
        return new HeapPrune(List.of(target));
      case 7:
        return new HeapInplace(target, bytes(page.itemLength(target) - 24));
      case 8:
        List<Integer> prune = new ArrayList<>();
        for (int offset : normal) {
          if (random.nextInt(3) == 0) {
            prune.add(offset);
          }
        }
        return prune.isEmpty() ? new HeapPrune(List.of(target)) : new HeapPrune(prune);
      default:
        return fullPageImage(page);
    }
  }

  private Object btreeChange(Page page) {
    int n = page.itemCount();
    int length = 1 + random.nextInt(60);
    int choice = random.nextInt(10);
    if (choice < 6 && PageLayout.align(length) + 4 <= page.freeSpace()) {
      return new BtreeInsert(1 + random.nextInt(n + 1), bytes(length));
    }
    if (choice < 9 && n > 0) {
      List<Integer> delete = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        if (random.nextInt(4) == 0) {
          delete.add(i);
        }
      }
      return delete.isEmpty() ? new BtreeDelete(List.of(1 + random.nextInt(n))) : new BtreeDelete(delete);
    }
    return new BtreeSetSpecial(special());
  }

  private BtreeSpecial special() {
    return new BtreeSpecial(random.nextInt(50) - 1, random.nextInt(50) - 1, random.nextInt(3), random.nextInt(16));
  }

  private FullPageImage fullPageImage(Page page) {
    byte[] image = page.toByteArray();
    return new FullPageImage(ByteBuffer.wrap(image));
  }

  private ByteBuffer bytes(int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return ByteBuffer.wrap(b);
  }
}
