package dev.folio.wal.reader;

import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a reader has seen of each timeline (DESIGN invariant 6). It keeps the last flush marker
 * read per (timeline, partition). A marker on a partition follows every record of its flush on
 * that partition, so once markers up to L have been read on every partition, every record of the
 * timeline with LSN &lt;= L has been read: {@link #consistentLsn} is the minimum over all
 * partitions, never a guess, and 0 until every partition has shown a marker.
 *
 * <p>Plain state, no Kafka or Flink types: readers own one each, and states of readers of
 * different partitions can be merged. Not thread-safe.
 */
public final class ConsistencyTracker {
  private final int partitions;
  private final Map<TimelineId, long[]> markers = new HashMap<>();

  public ConsistencyTracker(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a WAL topic has at least one partition");
    }
    this.partitions = partitions;
  }

  public int partitions() {
    return partitions;
  }

  /** Records a flush marker read on a partition. Markers never move back; an older one is ignored. */
  public void onMarker(int partition, TimelineId timeline, long flushLsn) {
    long[] lsns = markers.computeIfAbsent(timeline, t -> new long[partitions]);
    lsns[partition] = Lsn.max(lsns[partition], flushLsn);
  }

  /**
   * Starts a timeline as if markers at {@code lsn} had been read on every partition: for a reader
   * that starts at offsets known to hold everything up to that LSN (a committed index).
   */
  public void assumeRead(TimelineId timeline, long lsn) {
    for (int p = 0; p < partitions; p++) {
      onMarker(p, timeline, lsn);
    }
  }

  /** Everything of the timeline with LSN at or below this has been read; 0 if not known. */
  public long consistentLsn(TimelineId timeline) {
    long[] lsns = markers.get(timeline);
    if (lsns == null) {
      return 0;
    }
    long min = lsns[0];
    for (long l : lsns) {
      min = Lsn.min(min, l);
    }
    return min;
  }

  /** The newest flush of the timeline that the reader has seen a marker of, on any partition. */
  public long lastFlushSeen(TimelineId timeline) {
    long[] lsns = markers.get(timeline);
    return lsns == null ? 0 : Arrays.stream(lsns).reduce(0, Lsn::max);
  }

  public long lastMarker(TimelineId timeline, int partition) {
    long[] lsns = markers.get(timeline);
    return lsns == null ? 0 : lsns[partition];
  }

  public Set<TimelineId> timelines() {
    return markers.keySet();
  }

  /** Takes in what another tracker of the same topic has seen. */
  public void merge(ConsistencyTracker other) {
    if (other.partitions != partitions) {
      throw new IllegalArgumentException("trackers of topics with " + partitions + " and " + other.partitions
          + " partitions");
    }
    other.markers.forEach((timeline, lsns) -> {
      for (int p = 0; p < partitions; p++) {
        onMarker(p, timeline, lsns[p]);
      }
    });
  }
}
