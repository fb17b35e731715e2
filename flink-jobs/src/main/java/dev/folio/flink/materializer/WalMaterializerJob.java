package dev.folio.flink.materializer;

import dev.folio.flink.gc.GarbageCollector;
import dev.folio.format.layout.StorageLayout;
import dev.folio.wal.topic.WalTopicConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The WAL materializer: folds the WAL on Kafka into layers in the object store, exactly once.
 *
 * <pre>
 *  KafkaSource (read_committed) ── WalEventDeserializer: record | marker | garbage
 *    ├─ records ─ keyBy(timeline, page) ─ PageFolder (keyed state) ─ CheckpointedLayerWriter ─┐
 *    │               └─ refused records ─────────────────────────┐                           │ files
 *    ├─ garbage ─────────────────────────────────────────────────┴─ dead-letter topic        │
 *    └─ markers ──────────────────────────────────────────────────────────────── IndexCommitter (1)
 * </pre>
 *
 * Run it with {@code flink run} on the shaded jar, {@code folio flink submit}, or build it into an
 * environment of your own with {@link #build}.
 */
@Command(name = "wal-materializer", mixinStandardHelpOptions = true,
    description = "Folds the Folio WAL on Kafka into delta and image layers and timeline indexes in S3.")
public final class WalMaterializerJob implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", required = true, description = "The Kafka cluster of the WAL.")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = WalTopicConfig.DEFAULT_PREFIX, description = "Prefix of the WAL topics (default ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the WAL topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--storage", required = true, description = "Root of the object store, e.g. s3a://bucket/.")
  String storage;

  @Option(names = "--tenant", defaultValue = "default", description = "The tenant whose timelines this job materializes.")
  String tenant;

  @Option(names = "--image-every", defaultValue = "" + MaterializerConfig.DEFAULT_IMAGE_EVERY_RECORDS,
      description = "Records in a page's delta chain before an image, at most (default ${DEFAULT-VALUE}); a chain of 8 KiB gets one anyway.")
  int imageEvery;

  @Option(names = "--checkpoint-interval", defaultValue = "10s", description = "Time between checkpoints, e.g. 10s (default ${DEFAULT-VALUE}).")
  String checkpointInterval;

  @Option(names = "--pitr-window", defaultValue = "7d", description = "How far back reads stay possible; older "
      + "layers no branch needs are deleted, e.g. 7d, 12h (default ${DEFAULT-VALUE}).")
  String pitrWindow;

  @Option(names = "--gc-interval", defaultValue = "10m", description = "Time between garbage collection passes; "
      + "0 for none (default ${DEFAULT-VALUE}).")
  String gcInterval;

  public static void main(String[] args) {
    int code = new CommandLine(new WalMaterializerJob()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(duration(checkpointInterval).toMillis(), CheckpointingMode.EXACTLY_ONCE);
    WalTopicConfig topic = WalTopicConfig.singleBroker(topicPrefix).withPartitions(partitions);
    Duration interval = duration(gcInterval);
    MaterializerConfig config = new MaterializerConfig(bootstrapServers, Map.of(), topic,
        new StorageLayout(storage, tenant), "folio-materializer-" + tenant, imageEvery, 64L << 20, 4096,
        interval.isZero() ? null : new GarbageCollector.Settings(duration(pitrWindow), interval,
            GarbageCollector.Settings.DEFAULT.grace()));
    build(env, config, FaultInjector.NONE);
    env.execute("folio-wal-materializer-" + tenant);
    return 0;
  }

  /** 10s, 5m, 12h, 7d, or 0. */
  static Duration duration(String text) {
    String t = text.strip().toUpperCase();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    try {
      return t.endsWith("D") ? Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)))
          : Duration.parse("PT" + t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a duration: \"" + text + "\" (give e.g. 10s, 5m, 12h, 7d)", e);
    }
  }

  /** Adds the materializer to {@code env}, which brings checkpointing and the state backend. */
  public static void build(StreamExecutionEnvironment env, MaterializerConfig config, FaultInjector faults) {
    env.getConfig().enableObjectReuse();
    KafkaSource<WalEvent> source = KafkaSource.<WalEvent>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setTopics(config.topic().walTopic())
        .setGroupId(config.groupId())
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(new WalEventDeserializer())
        .setProperty("isolation.level", "read_committed")
        .setProperty("partition.discovery.interval.ms", "60000")
        .setProperties(properties(config))
        .build();
    DataStream<WalEvent> events = env.fromSource(source, WatermarkStrategy.noWatermarks(), "wal")
        .uid("wal-source").name("WAL (Kafka, read_committed)");

    SingleOutputStreamOperator<LayerEntry> folded = events
        .filter(e -> e.kind == WalEvent.RECORD).name("records")
        .keyBy(WalEvent::pageRef, TypeInformation.of(PageRef.class))
        .transform("page-folder", TypeInformation.of(LayerEntry.class),
            new PageFolder(config.imageEveryRecords(), config.folderCachePages(), faults))
        .uid("page-folder");

    DataStream<CommitterInput> files = folded
        .transform("layer-writer", TypeInformation.of(CommitterInput.class),
            new CheckpointedLayerWriter(config.layout(), config.layerBufferBytes()))
        .uid("layer-writer");

    events.filter(e -> e.kind == WalEvent.GARBAGE).name("garbage")
        .union(folded.getSideOutput(PageFolder.DEAD_LETTERS))
        .sinkTo(KafkaSink.<WalEvent>builder()
            .setBootstrapServers(config.bootstrapServers())
            .setKafkaProducerConfig(properties(config))
            .setRecordSerializer(new DeadLetterSerializer(config.topic().walTopic(), config.topic().deadLetterTopic()))
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .build())
        .uid("dead-letters").name("dead-letter topic");

    events.filter(e -> e.kind == WalEvent.MARKER).name("markers")
        .map(CommitterInput::marker, TypeInformation.of(CommitterInput.class)).name("marker positions")
        .union(files)
        .transform("index-committer", Types.VOID,
            new IndexCommitter(config.layout(), config.topic().walTopic(), config.topic().partitions(), config.gc(),
                faults))
        .uid("index-committer")
        .setParallelism(1)
        .setMaxParallelism(1);
  }

  private static Properties properties(MaterializerConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafkaProperties());
    return p;
  }
}
