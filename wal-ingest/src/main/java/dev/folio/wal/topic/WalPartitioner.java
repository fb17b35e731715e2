package dev.folio.wal.topic;

import dev.folio.format.PageKey;
import org.apache.kafka.common.utils.Utils;

/**
 * Which partition of the WAL topic holds a page: murmur2 of the page key's encoding, as Kafka's
 * default partitioner computes it for a keyed record. The writer sets the partition itself, so the
 * invariant "all versions of a page in one partition" does not depend on producer settings.
 */
public final class WalPartitioner {
  private WalPartitioner() {}

  public static int partitionOf(byte[] encodedKey, int partitions) {
    return Utils.toPositive(Utils.murmur2(encodedKey)) % partitions;
  }

  public static int partitionOf(PageKey key, int partitions) {
    return partitionOf(key.encode(), partitions);
  }
}
