package dev.folio.compute.storage;

import dev.folio.format.PageKey;
import dev.folio.format.page.BtreePage;
import dev.folio.format.page.MetaPage;
import dev.folio.format.page.Page;
import dev.folio.format.page.PageLayout;
import dev.folio.schemas.wal.BtreeInsert;
import dev.folio.schemas.wal.BtreeRewrite;
import dev.folio.schemas.wal.BtreeSetSpecial;
import dev.folio.schemas.wal.BtreeSpecial;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.MetaPageInit;
import dev.folio.schemas.wal.MetaSetBtreeRoot;
import dev.folio.schemas.wal.MetaSetRelationSize;
import dev.folio.schemas.wal.RelationKind;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * A B-tree index: entries {@code key ‖ heap tid} in unsigned byte order, on b-tree pages of the
 * main fork, its root on the metapage. Keys are opaque bytes here, encoded by the caller so that
 * byte order is value order and no key is a prefix of another; appending the tid makes every
 * entry unique (as PostgreSQL 12 does), so equal keys need no special case and a search by a key
 * prefix finds every entry that starts with it. Uniqueness is the caller's check, since only the
 * heap knows which entries point to live tuples.
 *
 * <p>Pages follow Lehman and Yao: a page with a right sibling holds its high key as item 1 (every
 * entry on it sorts below, every entry to its right at or above), and a reader that finds its
 * search key at or past the high key moves right. A split writes the new right page first, then
 * the left page with its new high key and right link, then the downlink in the parent, each as
 * one WAL record; a reader between any two of them still finds every entry, so readers take no
 * lock. Writers are serialized on the buffer cache, as heap inserts are.
 *
 * <pre>
 * leaf item        key ‖ block (4) ‖ offset (2)            the entry
 * internal item    child block (4) ‖ separator entry        the first item's separator is empty: −∞
 * high key         an entry (no child), item 1 of a page with a right sibling
 * </pre>
 *
 * Entries are never removed: a dead tuple's entries stay until vacuum exists, and readers check
 * the heap.
 */
public final class BtreeIndex {
  /** The largest key accepted, so that a page always holds at least three entries and a high key. */
  public static final int MAX_KEY_SIZE = 1600;
  private static final int TID_SIZE = 6;
  private static final int CHILD_SIZE = 4;

  private final BufferCache pages;
  private final int database;
  private final int relation;

  public BtreeIndex(BufferCache pages, int database, int relation) {
    this.pages = pages;
    this.database = database;
    this.relation = relation;
  }

  /** Creates an empty index, a single leaf as its root, under a new relation number. */
  public static BtreeIndex create(BufferCache pages, Transactions transactions, int database) {
    BtreeIndex index = new BtreeIndex(pages, database, transactions.newRelation());
    synchronized (pages) {
      pages.change(index.meta(), 0, new MetaPageInit(RelationKind.BTREE));
      pages.change(index.block(0), 0, new BtreeRewrite(new BtreeSpecial(-1, -1, 0, 0), List.of()));
      pages.change(index.meta(), 0, new MetaSetRelationSize(Fork.MAIN, 1));
      pages.change(index.meta(), 0, new MetaSetBtreeRoot(0, 0));
    }
    return index;
  }

  public int relation() {
    return relation;
  }

  /** Levels from the root to the leaves, 1 for a single leaf. */
  public int height() {
    return MetaPage.btreeLevel(pages.read(meta())) + 1;
  }

  /** Adds the entry {@code key ‖ tid}. */
  public void insert(byte[] key, HeapRelation.Tid tid) {
    if (key.length > MAX_KEY_SIZE) {
      throw new IllegalArgumentException("an index key of " + key.length + " bytes exceeds the maximum of "
          + MAX_KEY_SIZE);
    }
    byte[] entry = entry(key, tid);
    synchronized (pages) {
      Deque<Integer> path = new ArrayDeque<>();
      int block = descend(entry, path);
      Page leaf = pages.read(block(block));
      insertAt(block, leaf, path, entry, position(leaf, 0, entry));
    }
  }

  /**
   * The tids of the entries whose keys lie between the bounds, in key order. A bound is a key
   * prefix compared with the same number of leading bytes of each key; null is unbounded. With
   * {@code low == high}, both inclusive, this is every entry whose key starts with it.
   */
  public List<HeapRelation.Tid> scan(byte[] low, boolean lowInclusive, byte[] high, boolean highInclusive) {
    byte[] start = low == null ? new byte[0] : low;
    List<HeapRelation.Tid> out = new ArrayList<>();
    int block = descend(start, null);
    Page page = pages.read(block(block));
    int i = position(page, 0, start);
    while (true) {
      int n = page.itemCount();
      for (; i <= n; i++) {
        if (low != null && !lowInclusive && page.compareItemPrefix(i, 0, low) == 0) {
          continue;
        }
        if (high != null) {
          int c = page.compareItemPrefix(i, 0, high);
          if (c > 0 || (c == 0 && !highInclusive)) {
            return out;
          }
        }
        out.add(tid(page.item(i)));
      }
      int right = BtreePage.special(page).getRight();
      if (right < 0) {
        return out;
      }
      page = pages.read(block(right));
      i = firstData(page);
    }
  }

  /**
   * The leaf where {@code search} belongs: from the root, moving right past high keys at or below
   * it, down the last child whose separator sorts below it. {@code path}, if given, gets the
   * internal blocks passed, the parent on top.
   */
  private int descend(byte[] search, Deque<Integer> path) {
    Page meta = pages.read(meta());
    int block = MetaPage.btreeRoot(meta);
    while (true) {
      Page page = pages.read(block(block));
      BtreeSpecial special = BtreePage.special(page);
      if (special.getRight() >= 0 && page.compareItemPrefix(1, 0, search) < 0) {
        block = special.getRight();
        continue;
      }
      if (special.getLevel() == 0) {
        return block;
      }
      if (path != null) {
        path.push(block);
      }
      int child = downlinkPosition(page, search) - 1;
      block = page.item(child).getInt(0);
    }
  }

  /** The first data item (past the high key) whose bytes sort at or after {@code search}. */
  private static int position(Page page, int skip, byte[] search) {
    return position(page, skip, search, firstData(page));
  }

  /** The first downlink of an internal page whose separator sorts at or after {@code search}; never the first (−∞). */
  private static int downlinkPosition(Page page, byte[] search) {
    return position(page, CHILD_SIZE, search, firstData(page) + 1);
  }

  private static int position(Page page, int skip, byte[] search, int from) {
    int lo = from;
    int hi = page.itemCount() + 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (page.compareItemPrefix(mid, skip, search) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int firstData(Page page) {
    return BtreePage.special(page).getRight() >= 0 ? 2 : 1;
  }

  private void insertAt(int block, Page page, Deque<Integer> path, byte[] item, int offset) {
    if (page.freeSpace() >= PageLayout.align(item.length) + PageLayout.LINE_POINTER_SIZE) {
      pages.change(block(block), 0, new BtreeInsert(offset, ByteBuffer.wrap(item)));
      return;
    }
    split(block, page, path, item, offset);
  }

  /**
   * Splits a full page around the item to insert: the upper part moves to a new page on the right.
   * An append at the end of the rightmost page moves only the last old item, so that keys inserted
   * in order fill their pages, as PostgreSQL's rightmost split does; the left page then holds what
   * it held, with that item's copy as its high key.
   */
  private void split(int block, Page page, Deque<Integer> path, byte[] item, int offset) {
    BtreeSpecial special = BtreePage.special(page);
    int level = special.getLevel();
    int first = firstData(page);
    List<byte[]> items = new ArrayList<>();
    for (int i = first; i <= page.itemCount(); i++) {
      items.add(bytes(page.item(i)));
    }
    items.add(offset - first, item);
    byte[] highKey = first == 2 ? bytes(page.item(1)) : null;
    int at = offset - first == items.size() - 1 && highKey == null ? Math.max(1, items.size() - 2) : half(items);
    byte[] separator = level == 0 ? items.get(at) : separatorOf(items.get(at));
    List<ByteBuffer> left = new ArrayList<>();
    left.add(ByteBuffer.wrap(separator));
    items.subList(0, at).forEach(b -> left.add(ByteBuffer.wrap(b)));
    List<ByteBuffer> right = new ArrayList<>();
    if (highKey != null) {
      right.add(ByteBuffer.wrap(highKey));
    }
    for (int i = at; i < items.size(); i++) {
      byte[] b = items.get(i);
      right.add(ByteBuffer.wrap(i == at && level > 0 ? Arrays.copyOf(b, CHILD_SIZE) : b));
    }
    int rightBlock = extend();
    pages.change(block(rightBlock), 0, new BtreeRewrite(
        new BtreeSpecial(block, special.getRight(), level, 0), right));
    pages.change(block(block), 0, new BtreeRewrite(
        new BtreeSpecial(special.getLeft(), rightBlock, level, 0), left));
    if (special.getRight() >= 0) {
      BtreeSpecial next = BtreePage.special(pages.read(block(special.getRight())));
      pages.change(block(special.getRight()), 0, new BtreeSetSpecial(
          new BtreeSpecial(rightBlock, next.getRight(), next.getLevel(), next.getFlags())));
    }
    byte[] downlink = child(rightBlock, separator);
    if (path.isEmpty()) {
      int root = extend();
      pages.change(block(root), 0, new BtreeRewrite(new BtreeSpecial(-1, -1, level + 1, 0),
          List.of(ByteBuffer.wrap(child(block, new byte[0])), ByteBuffer.wrap(downlink))));
      pages.change(meta(), 0, new MetaSetBtreeRoot(root, level + 1));
      return;
    }
    int parent = path.pop();
    Page p = pages.read(block(parent));
    while (BtreePage.special(p).getRight() >= 0 && p.compareItemPrefix(1, 0, separator) <= 0) {
      parent = BtreePage.special(p).getRight();
      p = pages.read(block(parent));
    }
    insertAt(parent, p, path, downlink, downlinkPosition(p, separator));
  }

  /** Where to cut so that each side holds about half the bytes and at least one item. */
  private static int half(List<byte[]> items) {
    int total = 0;
    for (byte[] b : items) {
      total += PageLayout.align(b.length) + PageLayout.LINE_POINTER_SIZE;
    }
    int sum = 0;
    for (int i = 0; i < items.size(); i++) {
      sum += PageLayout.align(items.get(i).length) + PageLayout.LINE_POINTER_SIZE;
      if (sum * 2 >= total) {
        return Math.max(1, Math.min(i, items.size() - 1));
      }
    }
    return items.size() - 1;
  }

  /** A new block at the end of the main fork. */
  private int extend() {
    int n = MetaPage.nblocks(pages.read(meta()), Fork.MAIN);
    pages.change(meta(), 0, new MetaSetRelationSize(Fork.MAIN, n + 1));
    return n;
  }

  private static byte[] entry(byte[] key, HeapRelation.Tid tid) {
    return ByteBuffer.allocate(key.length + TID_SIZE).put(key).putInt(tid.block()).putShort((short) tid.offset())
        .array();
  }

  private static HeapRelation.Tid tid(ByteBuffer entry) {
    int end = entry.limit();
    return new HeapRelation.Tid(entry.getInt(end - TID_SIZE), Short.toUnsignedInt(entry.getShort(end - 2)));
  }

  private static byte[] child(int block, byte[] separator) {
    return ByteBuffer.allocate(CHILD_SIZE + separator.length).putInt(block).put(separator).array();
  }

  private static byte[] separatorOf(byte[] internalItem) {
    return Arrays.copyOfRange(internalItem, CHILD_SIZE, internalItem.length);
  }

  private static byte[] bytes(ByteBuffer item) {
    byte[] b = new byte[item.remaining()];
    item.get(b);
    return b;
  }

  private PageKey meta() {
    return new PageKey(database, relation, Fork.META, 0);
  }

  private PageKey block(int block) {
    return new PageKey(database, relation, Fork.MAIN, block);
  }
}
