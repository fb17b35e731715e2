package dev.folio.flink.bench;

import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.materializer.FaultInjector;
import dev.folio.flink.materializer.MaterializerConfig;
import dev.folio.flink.storage.TimelineIndexStore;
import dev.folio.flink.materializer.WalMaterializerJob;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Measures the materializer beside its reference, a bare Kafka consumer of the same topic, in one
 * run:
 *
 * <ol>
 *   <li>a backlog of heap inserts (100-byte rows on many pages) is written with a WalWriter;
 *   <li>a bare read_committed KafkaConsumer reads the whole topic: records/s;
 *   <li>the materializer (MiniCluster, RocksDB, checkpoints on S3 every second) materializes the
 *       same backlog: records/s from the job running to the index covering the last flush;
 *   <li>then, at a fixed load well below that, the lag from each flush to the first committed
 *       index whose consistent LSN covers it: p50 and p99.
 * </ol>
 */
public final class MaterializerBenchmark {
  private static final int ROW_BYTES = 100;
  private static final int INSERTS_PER_PAGE = 50;
  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
  /** The fixed load of the lag phase: each flush initializes 50 pages and inserts a row into each. */
  private static final int LAG_FLUSHES_PER_SECOND = 20;
  private static final int LAG_RECORDS_PER_FLUSH = 100;

  /** Everything measured. */
  public record Result(long records, double walBytesPerRecord, double consumerRecordsPerSecond,
      double materializerRecordsPerSecond, double lagP50Millis, double lagP99Millis, int lagSamples,
      int lagRecordsPerSecond, Duration checkpointInterval, int parallelism) {
    public double throughputRatio() {
      return materializerRecordsPerSecond / consumerRecordsPerSecond;
    }
  }

  private final Pipeline pipeline;
  private final boolean quick;
  private final PrintStream progress;

  public MaterializerBenchmark(Pipeline pipeline, boolean quick, PrintStream progress) {
    this.pipeline = pipeline;
    this.quick = quick;
    this.progress = progress;
  }

  public Result run() throws Exception {
    int parallelism = 2;
    int pages = quick ? 6_000 : 30_000;
    TimelineId timeline = TimelineId.generate();
    WalWriterConfig writerConfig = WalWriterConfig.of(pipeline.bootstrapServers(), pipeline.topic());
    Backlog backlog = Backlog.write(writerConfig, timeline, pages, progress);
    long records = backlog.records;
    long bytes = backlog.bytes;
    long backlogEnd = backlog.end;

    progress.printf("  bare consumer: reading %,d records...%n", records);
    double consumerRate = records / bareConsumerSeconds(pipeline);

    progress.printf("  materializer (parallelism %d): materializing the same backlog...%n", parallelism);
    JobClient job = startMaterializer(pipeline, parallelism);
    try {
      long start = System.nanoTime();
      waitFor(() -> covered(pipeline, timeline, backlogEnd), Duration.ofMinutes(quick ? 5 : 20));
      double materializerRate = records / ((System.nanoTime() - start) / 1e9);

      int seconds = quick ? 10 : 30;
      progress.printf("  lag: %d flushes/s of %d records for %d s...%n", LAG_FLUSHES_PER_SECOND, LAG_RECORDS_PER_FLUSH,
          seconds);
      Histogram lags = lag(writerConfig, timeline, seconds);
      return new Result(records, (double) bytes / records, consumerRate, materializerRate,
          lags.getValueAtPercentile(50), lags.getValueAtPercentile(99), (int) lags.getTotalCount(),
          LAG_FLUSHES_PER_SECOND * LAG_RECORDS_PER_FLUSH, CHECKPOINT_INTERVAL, parallelism);
    } finally {
      job.cancel().get();
    }
  }

  /** The materializer on a MiniCluster, running. */
  static JobClient startMaterializer(Pipeline pipeline, int parallelism) throws Exception {
    StreamExecutionEnvironment env = LocalFlink.environment(pipeline.s3(), parallelism, CHECKPOINT_INTERVAL);
    WalMaterializerJob.build(env, MaterializerConfig.of(pipeline.bootstrapServers(), pipeline.topic(), pipeline.layout()),
        FaultInjector.NONE);
    JobClient job = env.executeAsync("materializer-benchmark");
    waitFor(() -> job.getJobStatus().get() == JobStatus.RUNNING, Duration.ofMinutes(1));
    return job;
  }

  /** Heap pages, first initialized, then filled round-robin with inserts. */
  static final class Backlog {
    private final WalWriter writer;
    private final int pages;
    private final SplittableRandom random = new SplittableRandom(3);
    long records;
    long bytes;
    long end;

    private Backlog(WalWriter writer, int pages) {
      this.writer = writer;
      this.pages = pages;
    }

    /** Writes {@code pages} pages of {@value #INSERTS_PER_PAGE} inserts each on {@code timeline}. */
    static Backlog write(WalWriterConfig config, TimelineId timeline, int pages, PrintStream progress) {
      try (WalWriter writer = WalWriter.open(config, timeline, 0, new SimpleMeterRegistry())) {
        progress.printf("  writing a backlog: %,d pages x %d inserts...%n", pages, INSERTS_PER_PAGE);
        Backlog backlog = new Backlog(writer, pages);
        backlog.write(INSERTS_PER_PAGE);
        backlog.end = writer.flush().join();
        return backlog;
      }
    }

    void write(int insertsPerPage) {
      for (int p = 0; p < pages; p++) {
        add(new PageKey(1, 16384, Fork.MAIN, p), new HeapPageInit());
      }
      for (int i = 1; i <= insertsPerPage; i++) {
        for (int p = 0; p < pages; p++) {
          byte[] row = new byte[ROW_BYTES];
          random.nextBytes(row);
          add(new PageKey(1, 16384, Fork.MAIN, p), new HeapInsert(i, 0, ByteBuffer.wrap(row)));
        }
      }
    }

    private void add(PageKey key, Object body) {
      long before = writer.lastAppendedLsn();
      writer.append(key, records + 1, body);
      bytes += writer.lastAppendedLsn() - before;
      if (++records % 20_000 == 0) {
        writer.flush().join();
      }
    }
  }

  /** How long a bare read_committed consumer takes to read the whole WAL topic. */
  static double bareConsumerSeconds(Pipeline pipeline) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(pipeline.topic().walTopic()).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long start = System.nanoTime();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(200));
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /** Writes at a fixed rate and measures, per flush, how long until an index covers it. */
  private Histogram lag(WalWriterConfig writerConfig, TimelineId timeline, int seconds) throws Exception {
    Histogram lags = new Histogram(3);
    ConcurrentSkipListMap<Long, Long> waiting = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    // A flag, not interruption: S3A turns an interrupt into an IOException and clears it.
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (watching.get()) {
        try {
          TimelineIndex index = TimelineIndexStore.newest(pipeline.layout(), timeline);
          long now = System.nanoTime();
          if (index != null) {
            var done = waiting.headMap(index.consistentLsn(), true);
            for (long flushedAt : done.values()) {
              lags.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMillis(now - flushedAt)));
            }
            done.clear();
          }
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        } catch (IOException e) {
          progress.println("  (could not read the index: " + e.getMessage() + ")");
        }
      }
    }, "index-watcher");
    watcher.start();
    try (WalWriter writer = WalWriter.open(writerConfig, timeline, 0, new SimpleMeterRegistry())) {
      SplittableRandom random = new SplittableRandom(5);
      long period = TimeUnit.SECONDS.toNanos(1) / LAG_FLUSHES_PER_SECOND;
      long next = System.nanoTime();
      long end = next + TimeUnit.SECONDS.toNanos(seconds);
      int page = 0;
      while (System.nanoTime() < end) {
        for (int i = 0; i < LAG_RECORDS_PER_FLUSH / 2; i++) {
          byte[] row = new byte[ROW_BYTES];
          random.nextBytes(row);
          PageKey key = new PageKey(1, 16385, Fork.MAIN, page++);
          writer.append(key, 1, new HeapPageInit());
          writer.append(key, 1, new HeapInsert(1, 0, ByteBuffer.wrap(row)));
        }
        long lsn = writer.flush().join();
        waiting.put(lsn, System.nanoTime());
        next += period;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
      }
      waitFor(waiting::isEmpty, Duration.ofMinutes(1));
    } finally {
      watching.set(false);
      watcher.join();
    }
    return lags;
  }

  static boolean covered(Pipeline pipeline, TimelineId timeline, long lsn) throws IOException {
    TimelineIndex index = TimelineIndexStore.newest(pipeline.layout(), timeline);
    return index != null && Lsn.compare(index.consistentLsn(), lsn) >= 0;
  }

  /** A condition to wait for. */
  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  static void waitFor(Condition condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting after " + timeout);
      }
      Thread.sleep(50);
    }
  }
}
