package dev.folio.format.page;

import java.nio.ByteBuffer;

/**
 * A heap tuple as stored on a heap page: a 24-byte header, then the row's data, whose encoding
 * belongs to the access method. Big-endian, like the page.
 *
 * <pre>
 * offset size
 *      0    8  xmin         the transaction that inserted this version
 *      8    8  xmax         the transaction that deleted or updated it; 0 when none
 *     16    4  ctid block   where the newer version is (itself when none)
 *     20    2  ctid offset
 *     22    2  infomask     flags; bit 0 UPDATED is set by redo, the others by the access method
 *     24    -  data
 * </pre>
 */
public record HeapTuple(long xmin, long xmax, int ctidBlock, int ctidOffset, int infomask, ByteBuffer data) {
  public static final int HEADER_SIZE = 24;
  public static final int OFF_XMIN = 0;
  public static final int OFF_XMAX = 8;
  public static final int OFF_CTID_BLOCK = 16;
  public static final int OFF_CTID_OFFSET = 20;
  public static final int OFF_INFOMASK = 22;

  /** The tuple was updated: ctid points to its newer version. */
  public static final int UPDATED = 0x0001;

  /** Reads the tuple at line pointer {@code offsetNumber} of a heap page. */
  public static HeapTuple read(Page page, int offsetNumber) {
    if (page.type() != PageType.HEAP) {
      throw new IllegalArgumentException("not a heap page: " + page);
    }
    if (page.itemFlags(offsetNumber) != PageLayout.ITEM_NORMAL) {
      throw new IllegalArgumentException("no tuple at line pointer " + offsetNumber);
    }
    ByteBuffer item = page.item(offsetNumber);
    return new HeapTuple(
        item.getLong(OFF_XMIN),
        item.getLong(OFF_XMAX),
        item.getInt(OFF_CTID_BLOCK),
        item.getShort(OFF_CTID_OFFSET) & 0xFFFF,
        item.getShort(OFF_INFOMASK) & 0xFFFF,
        item.slice(HEADER_SIZE, item.remaining() - HEADER_SIZE));
  }
}
