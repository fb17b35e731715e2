package dev.folio.flink.replay;

import dev.folio.flink.storage.TimelineIndexStore;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layout.StorageLayout;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What a replay reads, worked out before it starts from the timeline indexes and the log's
 * offsets. A timeline's history is its ancestors' records up to each branch point and its own
 * records after its own; each of those timelines is a {@link Segment}. A segment's records up to its
 * newest index's consistent LSN are in the WAL archive files that index lists; the records after
 * it are in Kafka, from the offsets the index names (after which, per partition, come only records
 * above that LSN) up to the end of the log when the replay is planned. Records come from exactly
 * one of the two, so none is applied twice.
 *
 * @param kafkaFrom per partition, the first offset to read (empty when nothing is needed from Kafka)
 * @param kafkaTo per partition, the offset to stop before
 * @param archivedRecords how many records the listed archive files hold, for progress
 */
public record ReplayPlan(StorageLayout layout, String bootstrapServers, String topic, TimelineId source,
    long targetLsn, TimelineId into, List<Segment> segments, Map<Integer, Long> kafkaFrom,
    Map<Integer, Long> kafkaTo, long archivedRecords) implements Serializable {

  /**
   * One timeline's part of the history: its records with LSNs up to {@code upTo}; those up to
   * {@code archivedUpTo} from {@code archiveFiles}, the rest from Kafka.
   */
  public record Segment(TimelineId timeline, long upTo, long archivedUpTo, List<String> archiveFiles)
      implements Serializable {
    /** Whether a record of this timeline read from the archive ({@code archived}) or Kafka belongs to the replay. */
    public boolean wants(long lsn, boolean archived) {
      if (Lsn.compare(lsn, upTo) > 0) {
        return false;
      }
      return archived == (Lsn.compare(lsn, archivedUpTo) <= 0);
    }
  }

  /** Records the Kafka part will read, for progress (other timelines' included). */
  public long kafkaRecords() {
    long n = 0;
    for (Map.Entry<Integer, Long> from : kafkaFrom.entrySet()) {
      n += Math.max(0, kafkaTo.getOrDefault(from.getKey(), from.getValue()) - from.getValue());
    }
    return n;
  }

  /** Every archive file the replay reads. */
  public List<String> archiveFiles() {
    List<String> all = new ArrayList<>();
    segments.forEach(s -> all.addAll(s.archiveFiles()));
    return all;
  }

  /**
   * Plans the replay of {@code source}'s history up to {@code targetLsn} into the new timeline
   * {@code into}. Indexes are read through Flink's file systems; offsets through {@code admin}.
   */
  public static ReplayPlan of(StorageLayout layout, Admin admin, String bootstrapServers, String topic,
      TimelineId source, long targetLsn, TimelineId into) throws IOException {
    List<Segment> segments = new ArrayList<>();
    List<TimelineIndex> needKafka = new ArrayList<>();
    long archived = 0;
    TimelineId timeline = source;
    long upTo = targetLsn;
    while (timeline != null) {
      TimelineIndex index = TimelineIndexStore.newest(layout, timeline);
      if (index == null) {
        throw new ReplayException(ReplayException.TIMELINE_NOT_FOUND, "timeline " + timeline + " has no index");
      }
      if (Lsn.compare(upTo, index.startLsn()) < 0) {
        throw new ReplayException(ReplayException.LSN_OUT_OF_RANGE, "LSN " + Lsn.format(upTo) + " is before the start "
            + "of timeline " + timeline + "'s log (" + Lsn.format(index.startLsn()) + ")");
      }
      if (index.ancestor() == null && index.startLsn() != 0) {
        throw new ReplayException(ReplayException.NO_LOG_BELOW, "timeline " + timeline + " was rebuilt by a replay at "
            + "LSN " + Lsn.format(index.startLsn()) + ": its pages below that come from no log; replay the branch it "
            + "was replayed from instead");
      }
      long archivedUpTo = Lsn.min(upTo, index.consistentLsn());
      List<String> files = new ArrayList<>();
      for (TimelineIndex.ArchiveFile f : index.walArchive()) {
        if (Lsn.compare(f.firstLsn(), archivedUpTo) <= 0) {
          files.add(layout.walArchive(timeline, f.partition()) + f.file());
          archived += f.records();
        }
      }
      segments.add(new Segment(timeline, upTo, index.consistentLsn(), files));
      if (Lsn.compare(upTo, index.consistentLsn()) > 0) {
        needKafka.add(index);
      }
      if (index.ancestor() == null) {
        break;
      }
      upTo = index.ancestor().lsn();
      timeline = index.ancestor().timeline();
    }
    Map<Integer, Long> from = new HashMap<>();
    Map<Integer, Long> to = new HashMap<>();
    if (!needKafka.isEmpty()) {
      offsets(admin, topic, needKafka, from, to);
    }
    return new ReplayPlan(layout, bootstrapServers, topic, source, targetLsn, into, List.copyOf(segments),
        Map.copyOf(from), Map.copyOf(to), archived);
  }

  /**
   * Where to read Kafka: per partition, from the lowest offset a segment's index names (from the
   * start of what Kafka keeps for an index that names none) to the end of the committed log. An
   * index offset below what Kafka still keeps means the materializer fell behind retention: the
   * records between are gone, and the replay refuses rather than build pages without them.
   */
  private static void offsets(Admin admin, String topic, List<TimelineIndex> indexes, Map<Integer, Long> from,
      Map<Integer, Long> to) throws IOException {
    try {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> earliestSpec = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latestSpec = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        earliestSpec.put(new TopicPartition(topic, p), OffsetSpec.earliest());
        latestSpec.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      var earliest = admin.listOffsets(earliestSpec).all().get();
      var latest = admin.listOffsets(latestSpec, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        long kept = earliest.get(tp).offset();
        long start = Long.MAX_VALUE;
        for (TimelineIndex index : indexes) {
          final int partition = p;
          Long named = index.kafkaOffsets().stream().filter(o -> o.partition() == partition)
              .map(TimelineIndex.KafkaOffset::offset).findFirst().orElse(null);
          if (named == null) {
            start = Math.min(start, kept);
          } else if (named < kept) {
            throw new ReplayException(ReplayException.WAL_GAP, "timeline " + index.timeline() + " needs partition " + p
                + " of " + topic + " from offset " + named + " (after LSN " + Lsn.format(index.consistentLsn())
                + "), but Kafka keeps it only from offset " + kept + " and the archive ends at that LSN: the "
                + "materializer fell behind Kafka's retention");
          } else {
            start = Math.min(start, named);
          }
        }
        from.put(p, start);
        to.put(p, Math.max(start, latest.get(tp).offset()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the offsets of " + topic, e);
    } catch (ExecutionException e) {
      throw new IOException("cannot read the offsets of " + topic + ": " + e.getCause(), e.getCause());
    }
  }
}
