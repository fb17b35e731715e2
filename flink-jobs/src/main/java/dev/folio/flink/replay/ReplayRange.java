package dev.folio.flink.replay;

import dev.folio.flink.materializer.WalEvent;
import dev.folio.format.TimelineId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;

/**
 * Keeps the WAL events that belong to the replay: records of the plan's timelines, each up to its
 * segment's LSN, from the archive or from Kafka as the segment says. Counts every event read, for
 * progress; garbage is skipped (the materializer has sent it to the dead-letter topic).
 */
final class ReplayRange extends RichFilterFunction<WalEvent> {
  private final List<ReplayPlan.Segment> segments;
  private transient Map<TimelineId, ReplayPlan.Segment> byTimeline;
  private transient LongCounter read;

  ReplayRange(List<ReplayPlan.Segment> segments) {
    this.segments = segments;
  }

  @Override
  public void open(OpenContext context) {
    byTimeline = new HashMap<>();
    segments.forEach(s -> byTimeline.put(s.timeline(), s));
    read = new LongCounter();
    getRuntimeContext().addAccumulator(WalReplayJob.EVENTS_READ, read);
  }

  @Override
  public boolean filter(WalEvent e) {
    read.add(1);
    if (e.kind != WalEvent.RECORD) {
      return false;
    }
    ReplayPlan.Segment segment = byTimeline.get(e.timeline());
    return segment != null && segment.wants(e.lsn, e.offset == ArchiveFormat.ARCHIVED);
  }
}
