package dev.folio.flink.materializer;

import dev.folio.format.TimelineId;

/**
 * What reaches the index committer: a flush marker read by a source (with where it was read), a
 * layer file or a WAL archive file written for the coming checkpoint. A Flink POJO.
 */
public class CommitterInput {
  public static final byte MARKER = 1;
  public static final byte LAYER = 2;
  public static final byte ARCHIVE = 3;

  public byte kind;
  public long timelineHigh;
  public long timelineLow;
  /** MARKER and ARCHIVE: the WAL partition. */
  public int partition;
  /** MARKER: the marker's offset. */
  public long offset;
  /** MARKER: the flush LSN; ARCHIVE: the first LSN in the file. */
  public long lsn;
  /** ARCHIVE: the last LSN in the file. */
  public long lastLsn;
  /** LAYER: the layer's name; ARCHIVE: the file's name. */
  public String name;
  public long sizeBytes;
  /** LAYER: entries; ARCHIVE: records. */
  public long entries;

  public CommitterInput() {}

  static CommitterInput marker(WalEvent e) {
    CommitterInput in = new CommitterInput();
    in.kind = MARKER;
    in.timelineHigh = e.timelineHigh;
    in.timelineLow = e.timelineLow;
    in.partition = e.partition;
    in.offset = e.offset;
    in.lsn = e.lsn;
    return in;
  }

  static CommitterInput layer(TimelineId timeline, String name, long sizeBytes, long entries) {
    CommitterInput in = new CommitterInput();
    in.kind = LAYER;
    in.timelineHigh = timeline.high();
    in.timelineLow = timeline.low();
    in.name = name;
    in.sizeBytes = sizeBytes;
    in.entries = entries;
    return in;
  }

  static CommitterInput archive(TimelineId timeline, int partition, long firstLsn, long lastLsn, String name,
      long sizeBytes, long records) {
    CommitterInput in = new CommitterInput();
    in.kind = ARCHIVE;
    in.timelineHigh = timeline.high();
    in.timelineLow = timeline.low();
    in.partition = partition;
    in.lsn = firstLsn;
    in.lastLsn = lastLsn;
    in.name = name;
    in.sizeBytes = sizeBytes;
    in.entries = records;
    return in;
  }

  public TimelineId timeline() {
    return new TimelineId(timelineHigh, timelineLow);
  }
}
