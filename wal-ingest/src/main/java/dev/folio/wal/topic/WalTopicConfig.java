package dev.folio.wal.topic;

import java.io.Serializable;
import java.time.Duration;

/**
 * Where the WAL lives on Kafka and how its topic must be set. Topic names are the prefix followed
 * by {@code wal} and {@code wal.dlq}: {@code folio.wal} and {@code folio.wal.dlq} by default.
 *
 * @param prefix prefix of both topic names
 * @param partitions partitions of the WAL topic; fixed for the life of the topic, because the
 *     page key picks the partition and a page's versions must stay in one
 * @param replicationFactor replicas of each partition
 * @param minInsyncReplicas replicas that must have a record before it is acknowledged
 * @param retention how long Kafka keeps the WAL; older records are read from the archive in S3
 */
public record WalTopicConfig(String prefix, int partitions, short replicationFactor, int minInsyncReplicas,
    Duration retention) implements Serializable {
  public static final String DEFAULT_PREFIX = "folio.";

  public WalTopicConfig {
    if (prefix == null || !prefix.matches("[a-zA-Z0-9._-]*")) {
      throw new IllegalArgumentException("a topic prefix has letters, digits, '.', '_' and '-' only: \"" + prefix + "\"");
    }
    if (partitions < 1 || replicationFactor < 1 || minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
      throw new IllegalArgumentException("impossible WAL topic settings: " + partitions + " partitions, replication "
          + replicationFactor + ", min.insync.replicas " + minInsyncReplicas);
    }
  }

  /** One broker, as in {@code folio local} and the tests: replication 1, four partitions, a week. */
  public static WalTopicConfig singleBroker(String prefix) {
    return new WalTopicConfig(prefix, 4, (short) 1, 1, Duration.ofDays(7));
  }

  public String walTopic() {
    return prefix + "wal";
  }

  public String deadLetterTopic() {
    return prefix + "wal.dlq";
  }

  public WalTopicConfig withPartitions(int n) {
    return new WalTopicConfig(prefix, n, replicationFactor, minInsyncReplicas, retention);
  }
}
