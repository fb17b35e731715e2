package dev.folio.format.page;

/**
 * The control page of a timeline: the counters a compute needs to start from a timeline id alone.
 * A compute advances them ahead of use, in batches, so that they rarely need a record.
 *
 * <pre>
 * offset size
 *     24    8  next transaction id
 *     32    4  next relation number
 * </pre>
 */
public final class ControlPage {
  static final int OFF_NEXT_XID = PageLayout.HEADER_SIZE;
  static final int OFF_NEXT_RELATION = OFF_NEXT_XID + 8;

  private ControlPage() {}

  public static long nextXid(Page page) {
    requireControl(page);
    return page.getLong(OFF_NEXT_XID);
  }

  public static int nextRelation(Page page) {
    requireControl(page);
    return page.getInt(OFF_NEXT_RELATION);
  }

  public static long nextXid(byte[] p) {
    return PageLayout.getLong(p, OFF_NEXT_XID);
  }

  public static int nextRelation(byte[] p) {
    return PageLayout.getInt(p, OFF_NEXT_RELATION);
  }

  public static void init(byte[] p, long nextXid, int nextRelation) {
    PageLayout.init(p, PageType.CONTROL, 0);
    set(p, nextXid, nextRelation);
  }

  public static void set(byte[] p, long nextXid, int nextRelation) {
    PageLayout.putLong(p, OFF_NEXT_XID, nextXid);
    PageLayout.putInt(p, OFF_NEXT_RELATION, nextRelation);
  }

  private static void requireControl(Page page) {
    if (page.type() != PageType.CONTROL) {
      throw new IllegalArgumentException("not a control page: " + page);
    }
  }
}
