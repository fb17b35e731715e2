package dev.folio.wal.writer;

import dev.folio.wal.topic.WalTopicConfig;
import java.time.Duration;
import java.util.Map;

/**
 * How a {@link WalWriter} reaches Kafka.
 *
 * @param bootstrapServers the Kafka cluster
 * @param clientProperties further Kafka client settings (security, compression...); they cannot
 *     override what the writer's guarantees rest on (transactional id, acks, idempotence)
 * @param topic the WAL topic
 * @param maxBufferedBytes appended bytes not yet handed to Kafka above which an append waits
 * @param maxFlushDelay how long records may stay sent but uncommitted before the writer flushes
 *     them on its own, as PostgreSQL's WAL writer does: an open transaction holds back what
 *     read_committed readers of its partitions can see, so it must not stay open long
 * @param timeout how long opening the writer and reading back the log may take
 */
public record WalWriterConfig(String bootstrapServers, Map<String, String> clientProperties, WalTopicConfig topic,
    long maxBufferedBytes, Duration maxFlushDelay, Duration timeout) {
  public WalWriterConfig {
    clientProperties = Map.copyOf(clientProperties);
  }

  public static WalWriterConfig of(String bootstrapServers, WalTopicConfig topic) {
    return new WalWriterConfig(bootstrapServers, Map.of(), topic, 32L << 20, Duration.ofMillis(50),
        Duration.ofSeconds(60));
  }

  public WalWriterConfig withMaxFlushDelay(Duration delay) {
    return new WalWriterConfig(bootstrapServers, clientProperties, topic, maxBufferedBytes, delay, timeout);
  }

  public WalWriterConfig withMaxBufferedBytes(long bytes) {
    return new WalWriterConfig(bootstrapServers, clientProperties, topic, bytes, maxFlushDelay, timeout);
  }
}
