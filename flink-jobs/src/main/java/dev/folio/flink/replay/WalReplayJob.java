package dev.folio.flink.replay;

import dev.folio.flink.materializer.CheckpointedLayerWriter;
import dev.folio.flink.materializer.CommitterInput;
import dev.folio.flink.materializer.LayerEntry;
import dev.folio.flink.materializer.PageRef;
import dev.folio.flink.materializer.WalEvent;
import dev.folio.flink.materializer.WalEventDeserializer;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.layout.StorageLayout;
import dev.folio.wal.topic.WalTopicConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * WAL replay: rebuilds a timeline's pages as of an LSN from the log alone, into a new timeline.
 * A bounded job, run in BATCH mode:
 *
 * <pre>
 *  HybridSource: WAL archive files in S3 (FileSource, ArchiveFormat), then Kafka (bounded)
 *    ─ ReplayRange: the plan's timelines, each up to its LSN, each record from one place only
 *    ─ keyBy(page) ─ ReplayFolder: sort by LSN, Redo ─ CheckpointedLayerWriter: image layers
 *    ─ ReplayCommitter (1): the new timeline's first index
 * </pre>
 *
 * The archive comes first because it holds the older records: the replay works when Kafka no
 * longer does. Run it from {@code folio replay}, or with {@code flink run -c} on the shaded jar
 * giving the source and new timeline ids.
 */
@Command(name = "wal-replay", mixinStandardHelpOptions = true,
    description = "Rebuilds a Folio timeline's pages as of an LSN from the WAL archive and Kafka into a new timeline.")
public final class WalReplayJob implements Callable<Integer> {
  /** Accumulator: WAL events the sources read (records of other timelines and markers too), for progress. */
  public static final String EVENTS_READ = "folio-replay-events-read";
  /** Accumulator: pages rebuilt. */
  public static final String PAGES = "folio-replay-pages";
  /** Accumulator: records redo refused and the replay skipped, as the materializer dead-letters them. */
  public static final String RECORDS_REFUSED = "folio-replay-records-refused";

  /** The layer writer writes early past this many bytes of pages: the image layers of a replay come in pieces this big. */
  static final long LAYER_BYTES = 64L << 20;

  @Option(names = "--bootstrap-servers", required = true, description = "The Kafka cluster of the WAL.")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = WalTopicConfig.DEFAULT_PREFIX, description = "Prefix of the WAL topics (default ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--storage", required = true, description = "Root of the object store, e.g. s3a://bucket/.")
  String storage;

  @Option(names = "--tenant", defaultValue = "default", description = "The tenant of the timelines.")
  String tenant;

  @Option(names = "--timeline", required = true, description = "The timeline to replay (32 hex digits).")
  String timeline;

  @Option(names = "--to-lsn", required = true, description = "Replay up to and including this LSN, e.g. 0/16B3748.")
  String toLsn;

  @Option(names = "--into", required = true, description = "The new timeline's id (32 hex digits); it must not exist.")
  String into;

  public static void main(String[] args) {
    int code = new CommandLine(new WalReplayJob()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    String topic = WalTopicConfig.singleBroker(topicPrefix).walTopic();
    ReplayPlan plan;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      plan = ReplayPlan.of(new StorageLayout(storage, tenant), admin, bootstrapServers, topic,
          TimelineId.parse(timeline), Lsn.parse(toLsn).value(), TimelineId.parse(into));
    }
    build(env, plan);
    env.execute("folio-wal-replay-" + into);
    return 0;
  }

  /** Adds the replay of {@code plan} to {@code env} and sets it to BATCH mode. */
  public static void build(StreamExecutionEnvironment env, ReplayPlan plan) {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.getConfig().enableObjectReuse();
    TimelineId into = plan.into();
    env.fromSource(source(plan), WatermarkStrategy.noWatermarks(), "wal", TypeInformation.of(WalEvent.class))
        .name("WAL (archive, then Kafka)")
        .filter(new ReplayRange(plan.segments())).name("replay range")
        .keyBy(e -> {
          PageKey page = PageKey.decode(e.key);
          return new PageRef(into.high(), into.low(), page.database(), page.relation(), page.fork().ordinal(),
              page.block());
        }, TypeInformation.of(PageRef.class))
        .process(new ReplayFolder(), TypeInformation.of(LayerEntry.class)).name("fold pages")
        .transform("layer-writer", TypeInformation.of(CommitterInput.class),
            new CheckpointedLayerWriter(plan.layout(), LAYER_BYTES))
        .transform("replay-committer", Types.VOID, new ReplayCommitter(plan.layout(), into, plan.targetLsn()))
        .setParallelism(1)
        .setMaxParallelism(1);
  }

  /** The archive files, then Kafka; either alone when the other has nothing for the plan. */
  private static Source<WalEvent, ?, ?> source(ReplayPlan plan) {
    Source<WalEvent, ?, ?> archive = plan.archiveFiles().isEmpty() ? null
        : FileSource.forRecordStreamFormat(new ArchiveFormat(),
            plan.archiveFiles().stream().map(Path::new).toArray(Path[]::new)).build();
    Source<WalEvent, ?, ?> kafka = plan.kafkaFrom().isEmpty() ? null : kafka(plan);
    if (archive == null && kafka == null) {
      throw new ReplayException(ReplayException.LSN_OUT_OF_RANGE, "timeline " + plan.source() + " has no records up to "
          + Lsn.format(plan.targetLsn()) + ": there is nothing to replay");
    }
    if (archive == null) {
      return kafka;
    }
    if (kafka == null) {
      return archive;
    }
    return HybridSource.builder(archive).addSource(kafka).build();
  }

  private static KafkaSource<WalEvent> kafka(ReplayPlan plan) {
    Map<TopicPartition, Long> from = new HashMap<>();
    Map<TopicPartition, Long> to = new HashMap<>();
    plan.kafkaFrom().forEach((p, o) -> from.put(new TopicPartition(plan.topic(), p), o));
    plan.kafkaTo().forEach((p, o) -> to.put(new TopicPartition(plan.topic(), p), o));
    return KafkaSource.<WalEvent>builder()
        .setBootstrapServers(plan.bootstrapServers())
        .setPartitions(new HashSet<>(from.keySet()))
        .setGroupId("folio-replay-" + plan.into())
        .setStartingOffsets(OffsetsInitializer.offsets(from))
        .setBounded(OffsetsInitializer.offsets(to))
        .setDeserializer(new WalEventDeserializer())
        .setProperty("isolation.level", "read_committed")
        .setProperty("commit.offsets.on.checkpoint", "false")
        .build();
  }
}
