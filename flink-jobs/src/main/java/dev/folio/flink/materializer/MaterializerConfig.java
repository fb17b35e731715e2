package dev.folio.flink.materializer;

import dev.folio.flink.gc.GarbageCollector;
import dev.folio.format.layout.StorageLayout;
import dev.folio.wal.topic.WalTopicConfig;
import java.io.Serializable;
import java.util.Map;

/**
 * What the materializer reads and where it writes.
 *
 * @param bootstrapServers the Kafka cluster of the WAL
 * @param kafkaProperties further Kafka client settings (security...)
 * @param topic the WAL topic
 * @param layout where layers, indexes and the WAL archive go
 * @param groupId the consumer group the source commits its offsets to (for monitoring only:
 *     positions live in Flink's checkpoints)
 * @param imageEveryRecords a page's delta chain that long gets an image (so does one holding a page's
 *     worth of bytes, whatever its length: past that, reading the chain costs more than the image)
 * @param layerBufferBytes a layer writer holding more than this writes its files before the checkpoint
 * @param folderCachePages pages each folder keeps in memory in front of its state
 * @param gc garbage collection (the PITR window, passes), or null for none
 */
public record MaterializerConfig(String bootstrapServers, Map<String, String> kafkaProperties, WalTopicConfig topic,
    StorageLayout layout, String groupId, int imageEveryRecords, long layerBufferBytes, int folderCachePages,
    GarbageCollector.Settings gc) implements Serializable {
  /**
   * Records of 100-byte rows fill a page's worth of bytes at about 57, so by default the byte
   * limit decides; images cost 8 KiB each, and writing them every 16 records cost the benchmark a
   * third of its throughput.
   */
  public static final int DEFAULT_IMAGE_EVERY_RECORDS = 64;

  public MaterializerConfig {
    kafkaProperties = Map.copyOf(kafkaProperties);
    if (imageEveryRecords < 1 || layerBufferBytes < 1 || folderCachePages < 1) {
      throw new IllegalArgumentException("image threshold, layer buffer and folder cache must be positive");
    }
  }

  public static MaterializerConfig of(String bootstrapServers, WalTopicConfig topic, StorageLayout layout) {
    return new MaterializerConfig(bootstrapServers, Map.of(), topic, layout, "folio-materializer",
        DEFAULT_IMAGE_EVERY_RECORDS, 64L << 20, 4096, GarbageCollector.Settings.DEFAULT);
  }

  public MaterializerConfig withImageEveryRecords(int records) {
    return new MaterializerConfig(bootstrapServers, kafkaProperties, topic, layout, groupId, records, layerBufferBytes,
        folderCachePages, gc);
  }

  /** The same, with these garbage collection settings (null: none). */
  public MaterializerConfig withGc(GarbageCollector.Settings settings) {
    return new MaterializerConfig(bootstrapServers, kafkaProperties, topic, layout, groupId, imageEveryRecords,
        layerBufferBytes, folderCachePages, settings);
  }
}
