package dev.folio.wal.writer;

import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalDecodeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a timeline's log ends, read back from the WAL topic when a writer starts:
 *
 * <ul>
 *   <li>the highest LSN the timeline ever wrote, committed or not: the newest record or marker of
 *       the timeline on each partition, read uncommitted, so that no LSN is ever used twice, not
 *       even one of an aborted flush;
 *   <li>the last committed flush: the newest flush marker of the timeline read committed, on
 *       partition 0 (every flush writes one on every partition).
 * </ul>
 *
 * Each partition is read backwards from its end in chunks, and stops at the first message of the
 * timeline; a flush leaves a marker on every partition, so that is at most one flush back.
 */
public final class TimelineTail {
  private static final int CHUNK = 1000;

  /** What the log holds of a timeline: 0 for each when it holds nothing. */
  record End(long lastLsnWritten, long lastCommittedFlush) {}

  private TimelineTail() {}

  static End read(WalWriterConfig config, TimelineId timeline) {
    Instant deadline = Instant.now().plus(config.timeout());
    String topic = config.topic().walTopic();
    long written = 0;
    try (KafkaConsumer<byte[], byte[]> uncommitted = consumer(config, "read_uncommitted")) {
      for (PartitionInfo p : uncommitted.partitionsFor(topic, config.timeout())) {
        TopicPartition tp = new TopicPartition(topic, p.partition());
        written = Math.max(written, newest(uncommitted, tp, deadline, value -> lsnOf(value, timeline, true)).orElse(0L));
      }
    }
    long committed;
    try (KafkaConsumer<byte[], byte[]> readCommitted = consumer(config, "read_committed")) {
      committed = newest(readCommitted, new TopicPartition(topic, 0), deadline, value -> lsnOf(value, timeline, false))
          .orElse(0L);
    }
    return new End(Math.max(written, committed), committed);
  }

  /**
   * The last committed flush of a timeline (0 if it has none), and the committed end of every
   * partition read before it: every flush at or below the LSN lies before those offsets, every
   * flush above it after them. Where a hot replica starts following the log.
   */
  public static Start followFrom(WalWriterConfig config, TimelineId timeline) {
    Map<Integer, Long> ends = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> readCommitted = consumer(config, "read_committed")) {
      List<TopicPartition> partitions = readCommitted.partitionsFor(config.topic().walTopic(), config.timeout()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      readCommitted.endOffsets(partitions, config.timeout()).forEach((tp, offset) -> ends.put(tp.partition(), offset));
    }
    return new Start(read(config, timeline).lastCommittedFlush(), ends);
  }

  /** Where to follow a timeline from: its last committed flush, and the offsets after which later ones lie. */
  public record Start(long lastCommittedFlush, Map<Integer, Long> offsets) {}

  /** The LSN a WAL topic value carries for this timeline, or -1 if it is not one of its messages. */
  private static long lsnOf(byte[] value, TimelineId timeline, boolean recordsToo) {
    try {
      WalCodec.Decoded d = WalCodec.get().decode(value);
      if (d.isRecord()) {
        return recordsToo && TimelineId.fromAvro(d.record().getTimeline()).equals(timeline) ? d.record().getLsn() : -1;
      }
      return TimelineId.fromAvro(d.marker().getTimeline()).equals(timeline) ? d.marker().getFlushLsn() : -1;
    } catch (WalDecodeException e) {
      return -1;
    }
  }

  /** The newest non-negative value of {@code lsn} in the partition, reading back from its end. */
  private static Optional<Long> newest(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, Instant deadline,
      ToLongFunction<byte[]> lsn) {
    consumer.assign(List.of(tp));
    long begin = consumer.beginningOffsets(List.of(tp)).get(tp);
    long hi = consumer.endOffsets(List.of(tp)).get(tp);
    while (hi > begin) {
      long lo = Math.max(begin, hi - CHUNK);
      consumer.seek(tp, lo);
      long found = -1;
      while (consumer.position(tp) < hi) {
        if (Instant.now().isAfter(deadline)) {
          throw WalWriterException.failed("reading back the end of " + tp + " took too long", null);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
          if (r.offset() < hi && r.value() != null) {
            long value = lsn.applyAsLong(r.value());
            found = Math.max(found, value);
          }
        }
      }
      if (found >= 0) {
        return Optional.of(found);
      }
      hi = lo;
    }
    return Optional.empty();
  }

  private static KafkaConsumer<byte[], byte[]> consumer(WalWriterConfig config, String isolation) {
    Map<String, Object> props = new HashMap<>(config.clientProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, CHUNK);
    // The tail is read to its end: a fetch at the end must not wait for more (it would, 500 ms by
    // default, on every partition, and a compute's start would wait for them all).
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
