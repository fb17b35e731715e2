package dev.folio.wal.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.format.TimelineId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The consistent LSN against an oracle: flushes of several timelines spread records over the
 * partitions, each followed by a marker on every partition; partitions are then read in a random
 * interleaving. After every message read, the tracker's consistent LSN must be at most the LSN
 * below the first record not read yet, and at the end it must reach the last flush.
 */
class ConsistencyTrackerTest {

  private record Message(TimelineId timeline, long lsn, boolean marker) {}

  @Property(tries = 500)
  void neverAheadOfWhatWasRead(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int partitions,
      @ForAll @IntRange(min = 1, max = 3) int timelineCount) {
    Random random = new Random(seed);
    List<TimelineId> timelines = new ArrayList<>();
    for (int t = 0; t < timelineCount; t++) {
      timelines.add(new TimelineId(0, t + 1));
    }
    List<ArrayDeque<Message>> logs = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      logs.add(new ArrayDeque<>());
    }
    Map<TimelineId, TreeSet<Long>> unread = new HashMap<>();
    Map<TimelineId, Long> lastFlush = new HashMap<>();
    Map<TimelineId, Long> nextLsn = new HashMap<>();
    for (int flush = random.nextInt(30); flush > 0; flush--) {
      TimelineId t = timelines.get(random.nextInt(timelineCount));
      long lsn = nextLsn.getOrDefault(t, 100L);
      for (int r = random.nextInt(6); r > 0; r--) {
        lsn += 1 + random.nextInt(50);
        logs.get(random.nextInt(partitions)).add(new Message(t, lsn, false));
        unread.computeIfAbsent(t, k -> new TreeSet<>()).add(lsn);
      }
      for (ArrayDeque<Message> log : logs) {
        log.add(new Message(t, lsn, true));
      }
      nextLsn.put(t, lsn);
      lastFlush.put(t, lsn);
    }

    ConsistencyTracker tracker = new ConsistencyTracker(partitions);
    while (logs.stream().anyMatch(l -> !l.isEmpty())) {
      int p = random.nextInt(partitions);
      Message m = logs.get(p).poll();
      if (m == null) {
        continue;
      }
      if (m.marker()) {
        tracker.onMarker(p, m.timeline(), m.lsn());
      } else {
        unread.get(m.timeline()).remove(m.lsn());
      }
      for (TimelineId t : timelines) {
        TreeSet<Long> left = unread.getOrDefault(t, new TreeSet<>());
        if (!left.isEmpty()) {
          assertThat(tracker.consistentLsn(t)).as("timeline %s", t).isLessThan(left.first());
        }
      }
    }
    for (TimelineId t : timelines) {
      assertThat(tracker.consistentLsn(t)).isEqualTo(lastFlush.getOrDefault(t, 0L));
    }
  }

  @Test
  void isZeroUntilEveryPartitionHasAMarkerAndMerges() {
    TimelineId t = new TimelineId(1, 2);
    ConsistencyTracker a = new ConsistencyTracker(3);
    a.onMarker(0, t, 500);
    a.onMarker(1, t, 700);
    assertThat(a.consistentLsn(t)).isZero();
    assertThat(a.lastFlushSeen(t)).isEqualTo(700);
    ConsistencyTracker b = new ConsistencyTracker(3);
    b.onMarker(2, t, 600);
    b.onMarker(1, t, 650);
    a.merge(b);
    assertThat(a.consistentLsn(t)).isEqualTo(500);
    a.onMarker(0, t, 400);
    assertThat(a.lastMarker(t, 0)).isEqualTo(500);
    a.assumeRead(new TimelineId(3, 3), 900);
    assertThat(a.consistentLsn(new TimelineId(3, 3))).isEqualTo(900);
  }
}
