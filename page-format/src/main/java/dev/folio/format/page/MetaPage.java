package dev.folio.format.page;

import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.RelationKind;

/**
 * A relation's metapage: what kind of relation it is, how many blocks each fork has, and where a
 * b-tree's root is. The payload starts after the header, big-endian:
 *
 * <pre>
 * offset size
 *     24    1  relation kind: 1 heap, 2 b-tree
 *     25    3  reserved, 0
 *     28   20  number of blocks of each fork, 4 bytes each, in {@link Fork} order
 *     48    4  b-tree root block, -1 for none
 *     52    4  b-tree root level
 * </pre>
 */
public final class MetaPage {
  static final int OFF_KIND = PageLayout.HEADER_SIZE;
  static final int OFF_NBLOCKS = PageLayout.HEADER_SIZE + 4;
  static final int OFF_ROOT = OFF_NBLOCKS + 4 * 5;
  static final int OFF_LEVEL = OFF_ROOT + 4;
  private static final RelationKind[] KINDS = RelationKind.values();

  private MetaPage() {}

  public static RelationKind kind(Page page) {
    requireMeta(page);
    int code = page.getByte(OFF_KIND);
    return code >= 1 && code <= KINDS.length ? KINDS[code - 1] : null;
  }

  public static int nblocks(Page page, Fork fork) {
    requireMeta(page);
    return page.getInt(OFF_NBLOCKS + 4 * fork.ordinal());
  }

  public static int btreeRoot(Page page) {
    requireMeta(page);
    return page.getInt(OFF_ROOT);
  }

  public static int btreeLevel(Page page) {
    requireMeta(page);
    return page.getInt(OFF_LEVEL);
  }

  public static void init(byte[] p, RelationKind kind) {
    PageLayout.init(p, PageType.META, 0);
    p[OFF_KIND] = (byte) (kind.ordinal() + 1);
    PageLayout.putInt(p, OFF_ROOT, -1);
  }

  public static void setNblocks(byte[] p, Fork fork, int nblocks) {
    PageLayout.putInt(p, OFF_NBLOCKS + 4 * fork.ordinal(), nblocks);
  }

  public static void setBtreeRoot(byte[] p, int root, int level) {
    PageLayout.putInt(p, OFF_ROOT, root);
    PageLayout.putInt(p, OFF_LEVEL, level);
  }

  private static void requireMeta(Page page) {
    if (page.type() != PageType.META) {
      throw new IllegalArgumentException("not a metapage: " + page);
    }
  }
}
