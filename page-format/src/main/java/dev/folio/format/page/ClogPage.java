package dev.folio.format.page;

import dev.folio.schemas.wal.XactStatus;

/**
 * A commit-log page: the status of {@value #XIDS_PER_PAGE} consecutive transactions, two bits
 * each, and the time each one committed or aborted. Transaction {@code x} lives on block {@code x
 * / XIDS_PER_PAGE} of the commit-log relation, in slot {@code x % XIDS_PER_PAGE}. Keeping the
 * time beside the status lets one WAL record change one page (DESIGN invariant 2), and lets the
 * page service map a time to an LSN.
 *
 * <pre>
 * offset size
 *     24  240  status, 2 bits per slot, slot s in byte 24 + s/4 at bits 2*(s%4)
 *              0 IN_PROGRESS, 1 COMMITTED, 2 ABORTED, 3 SUB_COMMITTED
 *    264 7680  time of each slot, microseconds since the Unix epoch, 8 bytes each; 0 until set
 *   7944  248  unused, 0
 * </pre>
 */
public final class ClogPage {
  public static final int XIDS_PER_PAGE = 960;
  static final int OFF_STATUS = PageLayout.HEADER_SIZE;
  static final int OFF_TIMES = OFF_STATUS + XIDS_PER_PAGE / 4;
  private static final XactStatus[] STATUSES = XactStatus.values();

  private ClogPage() {}

  public static int blockOf(long xid) {
    return Math.toIntExact(xid / XIDS_PER_PAGE);
  }

  public static int slotOf(long xid) {
    return (int) (xid % XIDS_PER_PAGE);
  }

  public static XactStatus status(Page page, long xid) {
    requireClog(page);
    return STATUSES[statusBits(page.getByte(OFF_STATUS + slotOf(xid) / 4), slotOf(xid))];
  }

  public static long timeMicros(Page page, long xid) {
    requireClog(page);
    return page.getLong(OFF_TIMES + 8 * slotOf(xid));
  }

  public static void init(byte[] p) {
    PageLayout.init(p, PageType.CLOG, 0);
  }

  public static XactStatus status(byte[] p, int slot) {
    return STATUSES[statusBits(p[OFF_STATUS + slot / 4] & 0xFF, slot)];
  }

  public static void setStatus(byte[] p, int slot, XactStatus status, long timeMicros) {
    int at = OFF_STATUS + slot / 4;
    int shift = 2 * (slot % 4);
    p[at] = (byte) ((p[at] & ~(3 << shift)) | status.ordinal() << shift);
    PageLayout.putLong(p, OFF_TIMES + 8 * slot, timeMicros);
  }

  private static int statusBits(int b, int slot) {
    return (b >>> (2 * (slot % 4))) & 3;
  }

  private static void requireClog(Page page) {
    if (page.type() != PageType.CLOG) {
      throw new IllegalArgumentException("not a commit-log page: " + page);
    }
  }
}
