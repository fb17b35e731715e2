package dev.folio.format.page;

import dev.folio.schemas.wal.BtreeSpecial;

/**
 * The special space of a b-tree page: the last 16 bytes, big-endian. Items are the access
 * method's index tuples, kept in key order by their line pointer numbers.
 *
 * <pre>
 * offset from special
 *      0  4  left sibling block, -1 for none
 *      4  4  right sibling block, -1 for none
 *      8  4  level, 0 for a leaf
 *     12  4  flags, owned by the access method
 * </pre>
 */
public final class BtreePage {
  public static final int SPECIAL_SIZE = 16;

  private BtreePage() {}

  public static BtreeSpecial special(Page page) {
    requireBtree(page);
    int s = page.special();
    return new BtreeSpecial(page.getInt(s), page.getInt(s + 4), page.getInt(s + 8), page.getInt(s + 12));
  }

  public static void writeSpecial(byte[] p, BtreeSpecial special) {
    int s = PageLayout.special(p);
    PageLayout.putInt(p, s, special.getLeft());
    PageLayout.putInt(p, s + 4, special.getRight());
    PageLayout.putInt(p, s + 8, special.getLevel());
    PageLayout.putInt(p, s + 12, special.getFlags());
  }

  private static void requireBtree(Page page) {
    if (page.type() != PageType.BTREE) {
      throw new IllegalArgumentException("not a b-tree page: " + page);
    }
  }
}
