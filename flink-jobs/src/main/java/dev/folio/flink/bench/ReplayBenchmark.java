package dev.folio.flink.bench;

import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.storage.TimelineIndexStore;
import dev.folio.flink.replay.ReplayPlan;
import dev.folio.flink.replay.WalReplayJob;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.wal.writer.WalWriterConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;

/**
 * Measures WAL replay beside its reference, a bare Kafka consumer of the same records, in one run:
 *
 * <ol>
 *   <li>a backlog of heap inserts is written (as for the materializer benchmark);
 *   <li>a bare read_committed KafkaConsumer reads the whole topic: records/s;
 *   <li>a replay of the backlog's timeline to its last flush, before anything is materialized:
 *       every record from Kafka;
 *   <li>the materializer folds the backlog (and archives it), is stopped, and the same replay runs
 *       again: every record from the WAL archive in S3.
 * </ol>
 *
 * A replay's time runs from submitting the job to its new index: planning, reading, sorting each
 * page's records, redo, writing the image layers.
 */
public final class ReplayBenchmark {
  /** Everything measured. */
  public record Result(long records, long pages, double consumerRecordsPerSecond, double kafkaRecordsPerSecond,
      double archiveRecordsPerSecond, int parallelism) {
    public double kafkaRatio() {
      return kafkaRecordsPerSecond / consumerRecordsPerSecond;
    }

    public double archiveRatio() {
      return archiveRecordsPerSecond / consumerRecordsPerSecond;
    }
  }

  private final Pipeline pipeline;
  private final boolean quick;
  private final PrintStream progress;

  public ReplayBenchmark(Pipeline pipeline, boolean quick, PrintStream progress) {
    this.pipeline = pipeline;
    this.quick = quick;
    this.progress = progress;
  }

  public Result run() throws Exception {
    int parallelism = 2;
    LocalFlink.useS3(pipeline.s3());
    TimelineId timeline = TimelineId.generate();
    MaterializerBenchmark.Backlog backlog = MaterializerBenchmark.Backlog.write(
        WalWriterConfig.of(pipeline.bootstrapServers(), pipeline.topic()), timeline, quick ? 3_000 : 20_000, progress);
    progress.printf("  bare consumer: reading %,d records...%n", backlog.records);
    double consumerRate = backlog.records / MaterializerBenchmark.bareConsumerSeconds(pipeline);

    // The timeline exists once its first index does; nothing is materialized yet.
    TimelineIndexStore.write(pipeline.layout(), TimelineIndex.created(timeline, null, Instant.now()));
    progress.printf("  replay (parallelism %d) from Kafka...%n", parallelism);
    double fromKafka = backlog.records / replay(timeline, backlog.end, parallelism).seconds();

    progress.println("  materializer: folding and archiving the backlog...");
    JobClient materializer = MaterializerBenchmark.startMaterializer(pipeline, parallelism);
    try {
      MaterializerBenchmark.waitFor(() -> MaterializerBenchmark.covered(pipeline, timeline, backlog.end),
          Duration.ofMinutes(quick ? 5 : 20));
    } finally {
      materializer.cancel().get();
    }
    progress.printf("  replay (parallelism %d) from the WAL archive...%n", parallelism);
    Run fromArchive = replay(timeline, backlog.end, parallelism);
    return new Result(backlog.records, fromArchive.pages(), consumerRate, fromKafka,
        backlog.records / fromArchive.seconds(), parallelism);
  }

  /** One replay: how long it took and how many pages it rebuilt. */
  private record Run(double seconds, long pages) {}

  /** Plans and runs a replay to {@code lsn}. */
  private Run replay(TimelineId timeline, long lsn, int parallelism) throws Exception {
    long start = System.nanoTime();
    ReplayPlan plan;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", pipeline.bootstrapServers()))) {
      plan = ReplayPlan.of(pipeline.layout(), admin, pipeline.bootstrapServers(), pipeline.topic().walTopic(), timeline,
          lsn, TimelineId.generate());
    }
    StreamExecutionEnvironment env = LocalFlink.boundedEnvironment(pipeline.s3(), parallelism);
    WalReplayJob.build(env, plan);
    JobExecutionResult result = env.execute("replay-benchmark");
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Run(seconds, result.<Long>getAccumulatorResult(WalReplayJob.PAGES));
  }
}
