package dev.folio.flink.materializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The flush markers the committer has read, per timeline and partition: flush LSN to the offset
 * of the marker. From them comes, for each timeline, the consistent LSN (the minimum over all
 * partitions of the newest marker, DESIGN invariant 6) and where a reader of the tail must start on
 * each partition so that it sees every record above that LSN: just after the marker of that
 * flush, which every flush writes on every partition. Markers below the last consistent LSN are
 * dropped, so the log holds only flushes not yet consistent everywhere.
 */
final class MarkerLog {
  private final int partitions;
  private final Map<TimelineId, Map<Integer, TreeMap<Long, Long>>> markers = new HashMap<>();

  /** A timeline's consistent LSN and, per partition, the offset to start a tail read at. */
  record Consistency(long lsn, Map<Integer, Long> offsets) {}

  MarkerLog(int partitions) {
    this.partitions = partitions;
  }

  void add(TimelineId timeline, int partition, long flushLsn, long offset) {
    markers.computeIfAbsent(timeline, t -> new HashMap<>())
        .computeIfAbsent(partition, p -> new TreeMap<>(Long::compareUnsigned))
        .put(flushLsn, offset);
  }

  /** The newest flush LSN seen of the timeline, on any partition. */
  long lastFlushSeen(TimelineId timeline) {
    long newest = 0;
    for (TreeMap<Long, Long> p : markers.getOrDefault(timeline, Map.of()).values()) {
      newest = p.isEmpty() ? newest : Lsn.max(newest, p.lastKey());
    }
    return newest;
  }

  Map<TimelineId, Consistency> consistency() {
    Map<TimelineId, Consistency> out = new HashMap<>();
    for (Map.Entry<TimelineId, Map<Integer, TreeMap<Long, Long>>> t : markers.entrySet()) {
      Map<Integer, TreeMap<Long, Long>> byPartition = t.getValue();
      long consistent = -1;
      for (int p = 0; p < partitions; p++) {
        TreeMap<Long, Long> log = byPartition.get(p);
        long newest = log == null || log.isEmpty() ? 0 : log.lastKey();
        consistent = consistent == -1 ? newest : Lsn.min(consistent, newest);
      }
      if (consistent <= 0) {
        continue;
      }
      Map<Integer, Long> offsets = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        Map.Entry<Long, Long> marker = byPartition.get(p).floorEntry(consistent);
        // No marker at or below: start that partition from its beginning, which is never too late.
        offsets.put(p, marker == null ? 0 : marker.getValue() + 1);
      }
      out.put(t.getKey(), new Consistency(consistent, offsets));
    }
    return out;
  }

  /** Forgets markers below each timeline's consistent LSN; the one at it stays, for its offset. */
  void pruneBelow(Map<TimelineId, Consistency> consistency) {
    consistency.forEach((timeline, c) -> {
      for (TreeMap<Long, Long> log : markers.getOrDefault(timeline, Map.of()).values()) {
        log.headMap(c.lsn(), false).clear();
      }
    });
  }

  ArrayNode toJson() {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    markers.forEach((timeline, byPartition) -> byPartition.forEach((partition, log) -> {
      ArrayNode entries = out.addObject().put("timeline", timeline.toString()).put("partition", partition)
          .putArray("markers");
      log.forEach((lsn, offset) -> entries.addArray().add(lsn).add(offset));
    }));
    return out;
  }

  static MarkerLog fromJson(int partitions, JsonNode json) {
    MarkerLog log = new MarkerLog(partitions);
    for (JsonNode t : json) {
      TimelineId timeline = TimelineId.parse(t.get("timeline").asText());
      int partition = t.get("partition").asInt();
      for (JsonNode m : t.get("markers")) {
        log.add(timeline, partition, m.get(0).asLong(), m.get(1).asLong());
      }
    }
    return log;
  }
}
