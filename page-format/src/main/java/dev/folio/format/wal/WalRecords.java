package dev.folio.format.wal;

import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.page.PageLayout;
import dev.folio.schemas.wal.BtreePageInit;
import dev.folio.schemas.wal.BtreeRewrite;
import dev.folio.schemas.wal.ClogPageInit;
import dev.folio.schemas.wal.ControlPageInit;
import dev.folio.schemas.wal.FullPageImage;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.MetaPageInit;
import dev.folio.schemas.wal.WalRecord;

/** Building and checking {@link WalRecord}s: the rules of the contract that Avro cannot state. */
public final class WalRecords {
  private WalRecords() {}

  /** A record for this page; {@code will_init} follows from the kind of body. */
  public static WalRecord of(TimelineId timeline, long lsn, long xid, PageKey key, Object body) {
    return new WalRecord(timeline.toAvro(), lsn, xid, key.toAddress(), initializesPage(body), body);
  }

  /** True for the kinds of body that build a page from nothing, so need no earlier version. */
  public static boolean initializesPage(Object body) {
    return body instanceof FullPageImage
        || body instanceof HeapPageInit
        || body instanceof BtreePageInit
        || body instanceof MetaPageInit
        || body instanceof ClogPageInit
        || body instanceof ControlPageInit
        || body instanceof BtreeRewrite;
  }

  public static PageKey key(WalRecord record) {
    return PageKey.of(record.getPage());
  }

  public static TimelineId timeline(WalRecord record) {
    return TimelineId.fromAvro(record.getTimeline());
  }

  /** The name of the body's kind, e.g. {@code HeapInsert}, for logs and metrics. */
  public static String kind(WalRecord record) {
    Object body = record.getBody();
    return body == null ? "none" : body.getClass().getSimpleName();
  }

  /**
   * Checks what every record must satisfy whatever page it meets: a valid LSN, a valid page key,
   * a body, and will_init exactly when the body builds the page. Returns null or the problem.
   */
  public static String problem(WalRecord record) {
    if (record.getLsn() == 0) {
      return "LSN 0 is invalid";
    }
    if (record.getXid() < 0) {
      return "negative xid " + record.getXid();
    }
    if (record.getPage() == null || record.getTimeline() == null || record.getBody() == null) {
      return "missing timeline, page or body";
    }
    try {
      PageKey.of(record.getPage());
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    boolean init = initializesPage(record.getBody());
    if (record.getWillInit() != init) {
      return kind(record) + " at " + Lsn.format(record.getLsn()) + (init ? " builds a page but is not marked will_init"
          : " changes a page but is marked will_init");
    }
    if (record.getBody() instanceof FullPageImage fpi && fpi.getImage().remaining() != PageLayout.PAGE_SIZE) {
      return "a full page image has " + fpi.getImage().remaining() + " bytes, not " + PageLayout.PAGE_SIZE;
    }
    return null;
  }
}
