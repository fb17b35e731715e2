package dev.folio.wal.reader;

import dev.folio.format.TimelineId;
import dev.folio.wal.topic.WalTopicConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the whole WAL topic, read_committed: decodes each value, sends what it cannot use to the
 * dead-letter topic and goes on, and tracks the flush markers so that it can say up to which LSN
 * it has seen everything of each timeline ({@link #consistentLsn}). It reads every partition
 * itself (no consumer group), from the offsets it is given or from the beginning. For the page
 * service and hot replicas; not thread-safe.
 */
public final class WalReader implements AutoCloseable {
  private final WalTopicConfig topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final WalMessageDecoder decoder = new WalMessageDecoder();
  private final ConsistencyTracker tracker;
  private final DeadLetters deadLetters;
  private final Counter recordsRead;
  private final Counter garbageRead;

  /**
   * @param startOffsets where to start, per partition; partitions not named start at the beginning
   */
  public WalReader(String bootstrapServers, Map<String, String> clientProperties, WalTopicConfig topic,
      Map<Integer, Long> startOffsets, MeterRegistry registry) {
    this(bootstrapServers, clientProperties, topic, startOffsets, registry, true);
  }

  /**
   * @param forwardGarbage whether garbage goes to the dead-letter topic; a reader beside the
   *     materializer (which forwards it already) passes false, and garbage is only counted
   */
  public WalReader(String bootstrapServers, Map<String, String> clientProperties, WalTopicConfig topic,
      Map<Integer, Long> startOffsets, MeterRegistry registry, boolean forwardGarbage) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.topic = topic;
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = consumer.partitionsFor(topic.walTopic()).stream()
        .map(p -> new TopicPartition(topic.walTopic(), p.partition())).toList();
    if (partitions.isEmpty()) {
      consumer.close();
      throw new IllegalStateException("the WAL topic " + topic.walTopic() + " does not exist on " + bootstrapServers
          + "; create it first (WalTopic.ensure)");
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, Math.max(startOffsets.getOrDefault(tp.partition(), 0L), beginnings.get(tp)));
    }
    this.tracker = new ConsistencyTracker(partitions.size());
    this.deadLetters = forwardGarbage
        ? new DeadLetters(bootstrapServers, clientProperties, topic.deadLetterTopic(), registry) : null;
    this.garbageRead = Counter.builder("folio.wal.read.garbage").description("WAL values that could not be used")
        .register(registry);
    this.recordsRead = Counter.builder("folio.wal.read.records").description("WAL records read")
        .register(registry);
  }

  /**
   * Reads what arrived within {@code timeout}: records and markers in partition order (markers
   * have already updated {@link #consistentLsn}); garbage has gone to the dead-letter topic.
   */
  public List<WalMessage> poll(Duration timeout) {
    List<WalMessage> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      WalMessage m = decoder.decode(r.partition(), r.offset(), r.key(), r.value());
      if (m instanceof WalMessage.Garbage g) {
        garbageRead.increment();
        if (deadLetters != null) {
          deadLetters.send(topic.walTopic(), g);
        }
        continue;
      }
      if (m instanceof WalMessage.Marker marker) {
        tracker.onMarker(marker.partition(), marker.timeline(), marker.marker().getFlushLsn());
      } else {
        recordsRead.increment();
      }
      out.add(m);
    }
    return out;
  }

  /** Every record of the timeline with LSN at or below this has been returned by {@link #poll}. */
  public long consistentLsn(TimelineId timeline) {
    return tracker.consistentLsn(timeline);
  }

  public ConsistencyTracker tracker() {
    return tracker;
  }

  /** The next offset to read, per partition. */
  public Map<Integer, Long> positions() {
    Map<Integer, Long> out = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      out.put(tp.partition(), consumer.position(tp));
    }
    return out;
  }

  @Override
  public void close() {
    try {
      if (deadLetters != null) {
        deadLetters.close();
      }
    } finally {
      consumer.close();
    }
  }
}
