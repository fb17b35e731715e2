package dev.folio.wal.bench;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.wal.topic.WalPartitioner;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures the WalWriter on a Kafka cluster beside its reference, a bare KafkaProducer, in one
 * run on one topic:
 *
 * <ol>
 *   <li>throughput: heap-insert records appended one by one and flushed every 20,000 (one
 *       transaction each, with its markers), against a bare KafkaProducer (same settings,
 *       acks=all, idempotent, no transactions) sending the same records to the same partitions
 *       and flushing after each 20,000. The reference encodes each record as it sends it, as
 *       any producer of these records must; a second reference sends bytes encoded beforehand,
 *       to show what encoding costs. Rounds alternate between the three, and the median counts;
 *   <li>commits: N threads each append a few records and flush, over and over, for N = 1, 8 and
 *       64; commits/s and commit latency percentiles show what group commit buys.
 * </ol>
 *
 * Run by {@code folio bench wal}; it prints progress, and the CLI prints the table.
 */
public final class WalBenchmark {
  private static final int TUPLE_BYTES = 100;

  /** Throughput of one side: records and bytes per second. */
  public record Throughput(double recordsPerSecond, double megabytesPerSecond) {}

  /** Commits of one level of concurrency. */
  public record Commits(int committers, double commitsPerSecond, double p50Millis, double p99Millis, long commits) {}

  /** Everything measured. */
  public record Result(Throughput writer, Throughput bareProducer, Throughput preEncoded, List<Commits> commits) {
    public double throughputRatio() {
      return writer.recordsPerSecond() / bareProducer.recordsPerSecond();
    }

    public Commits at(int committers) {
      return commits.stream().filter(c -> c.committers() == committers).findFirst().orElseThrow();
    }
  }

  private final String bootstrapServers;
  private final WalTopicConfig topic;
  private final boolean quick;
  private final PrintStream progress;

  public WalBenchmark(String bootstrapServers, WalTopicConfig topic, boolean quick, PrintStream progress) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.quick = quick;
    this.progress = progress;
  }

  public Result run() throws InterruptedException {
    int rounds = quick ? 3 : 5;
    int batch = 20_000;
    int batchesPerRound = quick ? 10 : 30;
    List<Double> writerRounds = new ArrayList<>();
    List<Double> bareRounds = new ArrayList<>();
    List<Double> preEncodedRounds = new ArrayList<>();
    double bytesPerRecord;
    TimelineId timeline = TimelineId.generate();
    WalWriterConfig config = WalWriterConfig.of(bootstrapServers, topic);
    try (WalWriter writer = WalWriter.open(config, timeline, 0, new SimpleMeterRegistry());
        KafkaProducer<byte[], byte[]> bare = bareProducer()) {
      List<WalWriter.Change> changes = changes(batch, new SplittableRandom(1));
      List<ProducerRecord<byte[], byte[]>> encoded = sameBytes(changes, timeline);
      bytesPerRecord = encoded.stream().mapToLong(r -> r.key().length + r.value().length).average().orElse(0);
      for (int round = 0; round <= rounds; round++) {
        String label = round == 0 ? "warm-up" : "round " + round + "/" + rounds;
        progress.printf("  throughput %s: %d x %d records on each side...%n", label, batchesPerRound, batch);
        double records = (double) batch * batchesPerRound;
        long t0 = System.nanoTime();
        for (int b = 0; b < batchesPerRound; b++) {
          long lsn = 1;
          for (WalWriter.Change c : changes) {
            byte[] key = c.key().encode();
            lsn += 200;
            bare.send(new ProducerRecord<>(topic.walTopic(), WalPartitioner.partitionOf(key, topic.partitions()), key,
                WalCodec.get().encode(WalRecords.of(timeline, lsn, c.xid(), c.key(), c.body()))));
          }
          bare.flush();
        }
        long t1 = System.nanoTime();
        for (int b = 0; b < batchesPerRound; b++) {
          for (ProducerRecord<byte[], byte[]> r : encoded) {
            bare.send(r);
          }
          bare.flush();
        }
        long t2 = System.nanoTime();
        for (int b = 0; b < batchesPerRound; b++) {
          for (WalWriter.Change c : changes) {
            writer.append(c.key(), c.xid(), c.body());
          }
          writer.flush().join();
        }
        long t3 = System.nanoTime();
        if (round > 0) {
          bareRounds.add(records / ((t1 - t0) / 1e9));
          preEncodedRounds.add(records / ((t2 - t1) / 1e9));
          writerRounds.add(records / ((t3 - t2) / 1e9));
        }
      }
    }
    List<Commits> commits = new ArrayList<>();
    for (int committers : new int[] {1, 8, 64}) {
      commits.add(commits(committers, quick ? 5 : 15));
    }
    return new Result(throughput(writerRounds, bytesPerRecord), throughput(bareRounds, bytesPerRecord),
        throughput(preEncodedRounds, bytesPerRecord), commits);
  }

  private static Throughput throughput(List<Double> rounds, double bytesPerRecord) {
    double rate = median(rounds);
    return new Throughput(rate, rate * bytesPerRecord / 1e6);
  }

  private Commits commits(int committers, int seconds) throws InterruptedException {
    progress.printf("  commits: %d committers for %d s (after 1 s of warm-up)...%n", committers, seconds);
    Recorder latencies = new Recorder(3);
    AtomicLong count = new AtomicLong();
    TimelineId timeline = TimelineId.generate();
    try (WalWriter writer = WalWriter.open(WalWriterConfig.of(bootstrapServers, topic), timeline, 0,
        new SimpleMeterRegistry())) {
      long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
      CountDownLatch done = new CountDownLatch(committers);
      for (int c = 0; c < committers; c++) {
        SplittableRandom random = new SplittableRandom(c);
        Thread t = new Thread(() -> {
          try {
            while (System.nanoTime() < end) {
              long start = System.nanoTime();
              List<WalWriter.Change> commit = changes(2 + random.nextInt(3), random);
              long lsn = writer.appendAll(commit).get(commit.size() - 1).getLsn();
              writer.flush(lsn).join();
              long now = System.nanoTime();
              if (start >= warmEnd) {
                latencies.recordValue(Math.max(1, (now - start) / 1000));
                count.incrementAndGet();
              }
            }
          } finally {
            done.countDown();
          }
        }, "committer-" + c);
        t.setDaemon(true);
        t.start();
      }
      done.await();
    }
    var histogram = latencies.getIntervalHistogram();
    return new Commits(committers, count.get() / (double) seconds,
        histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0, count.get());
  }

  private static List<WalWriter.Change> changes(int n, SplittableRandom random) {
    List<WalWriter.Change> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] row = new byte[TUPLE_BYTES];
      random.nextBytes(row);
      out.add(new WalWriter.Change(new PageKey(1, 16384, Fork.MAIN, random.nextInt(10_000)), 1 + random.nextInt(1000),
          new HeapInsert(1 + random.nextInt(50), 0, ByteBuffer.wrap(row))));
    }
    return out;
  }

  /** The same keys and the same bytes as the writer sends, to the same partitions, encoded beforehand. */
  private List<ProducerRecord<byte[], byte[]>> sameBytes(List<WalWriter.Change> changes, TimelineId timeline) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(changes.size());
    long lsn = 1;
    for (WalWriter.Change c : changes) {
      lsn += 200;
      byte[] key = c.key().encode();
      byte[] value = WalCodec.get().encode(WalRecords.of(timeline, lsn, c.xid(), c.key(), c.body()));
      out.add(new ProducerRecord<>(topic.walTopic(), WalPartitioner.partitionOf(key, topic.partitions()), key, value));
    }
    return out;
  }

  private KafkaProducer<byte[], byte[]> bareProducer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
  }

  /** The figures as the RESULT line names them. */
  public static Map<String, Double> resultLine(Result r) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("throughput_ratio", r.throughputRatio());
    out.put("writer_records_per_s", r.writer().recordsPerSecond());
    out.put("bare_records_per_s", r.bareProducer().recordsPerSecond());
    out.put("throughput_ratio_preencoded", r.writer().recordsPerSecond() / r.preEncoded().recordsPerSecond());
    out.put("commits_per_s_1", r.at(1).commitsPerSecond());
    out.put("commits_per_s_8", r.at(8).commitsPerSecond());
    out.put("commits_per_s_64", r.at(64).commitsPerSecond());
    out.put("commit_scaling", r.at(64).commitsPerSecond() / r.at(1).commitsPerSecond());
    out.put("commit_p50_ms_64", r.at(64).p50Millis());
    out.put("commit_p99_ms_64", r.at(64).p99Millis());
    return out;
  }
}
