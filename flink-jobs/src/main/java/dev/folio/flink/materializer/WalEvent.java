package dev.folio.flink.materializer;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;

/**
 * One value read from the WAL topic, as the job passes it on: the raw bytes and where they came
 * from, with the timeline and LSN read from the header ({@code WalCodec.peek}), so that routing
 * needs no full decode. A Flink POJO (public fields, no-argument constructor), so that Flink
 * serializes it field by field, without Kryo.
 */
public class WalEvent {
  public static final byte RECORD = 1;
  public static final byte MARKER = 2;
  public static final byte GARBAGE = 3;

  public byte kind;
  public int partition;
  public long offset;
  public long timelineHigh;
  public long timelineLow;
  /** A record's LSN, or a marker's flush LSN. */
  public long lsn;
  public byte[] key;
  public byte[] value;
  /** For garbage: the reason code and what is wrong. */
  public String reason;
  public String message;

  public WalEvent() {}

  public static WalEvent garbage(int partition, long offset, byte[] key, byte[] value, String reason, String message) {
    WalEvent e = new WalEvent();
    e.kind = GARBAGE;
    e.partition = partition;
    e.offset = offset;
    e.key = key;
    e.value = value;
    e.reason = reason;
    e.message = message;
    return e;
  }

  public TimelineId timeline() {
    return new TimelineId(timelineHigh, timelineLow);
  }

  /** The key the folder keeps a page's state under. */
  public PageRef pageRef() {
    PageKey page = PageKey.decode(key);
    return new PageRef(timelineHigh, timelineLow, page.database(), page.relation(), page.fork().ordinal(), page.block());
  }
}
