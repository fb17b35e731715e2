package dev.folio.flink.materializer;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;

/**
 * What the folder hands the layer writer: a WAL record for a delta layer, or a page image for an
 * image layer. A Flink POJO.
 */
public class LayerEntry {
  public static final byte DELTA = 1;
  public static final byte IMAGE = 2;

  public byte kind;
  public long timelineHigh;
  public long timelineLow;
  /** The page key encoding. */
  public byte[] key;
  public long lsn;
  public boolean willInit;
  /** DELTA: the record, single-object encoded with the current schema; IMAGE: the 8192-byte page. */
  public byte[] bytes;
  /** DELTA: the WAL partition the record came from, for the archive. */
  public int partition;

  public LayerEntry() {}

  static LayerEntry delta(PageRef ref, byte[] key, long lsn, boolean willInit, byte[] record, int partition) {
    LayerEntry e = new LayerEntry();
    e.kind = DELTA;
    e.timelineHigh = ref.timelineHigh;
    e.timelineLow = ref.timelineLow;
    e.key = key;
    e.lsn = lsn;
    e.willInit = willInit;
    e.bytes = record;
    e.partition = partition;
    return e;
  }

  public static LayerEntry image(PageRef ref, byte[] key, long lsn, byte[] page) {
    LayerEntry e = new LayerEntry();
    e.kind = IMAGE;
    e.timelineHigh = ref.timelineHigh;
    e.timelineLow = ref.timelineLow;
    e.key = key;
    e.lsn = lsn;
    e.willInit = true;
    e.bytes = page;
    return e;
  }

  public TimelineId timeline() {
    return new TimelineId(timelineHigh, timelineLow);
  }

  public PageKey page() {
    return PageKey.decode(key);
  }
}
