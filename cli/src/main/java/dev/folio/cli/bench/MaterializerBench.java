package dev.folio.cli.bench;

import dev.folio.flink.bench.MaterializerBenchmark;
import dev.folio.flink.local.LocalFlink;
import dev.folio.format.layout.StorageLayout;
import dev.folio.testsupport.EmbeddedKafka;
import dev.folio.testsupport.EmbeddedS3;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code folio bench materializer}: the WAL materializer beside a bare Kafka consumer. */
@Command(name = "materializer", mixinStandardHelpOptions = true,
    description = {"Materializer throughput (records/s, MB/s of WAL) beside a bare Kafka consumer reading the same",
        "topic, then the lag from flush to committed index at a fixed load. Runs on an embedded Kafka",
        "broker, S3Proxy and a Flink MiniCluster (parallelism 2, RocksDB, checkpoints every second)."})
final class MaterializerBench implements Callable<Integer> {
  @Option(names = "--quick", description = "A short run (about a minute) with a backlog of 306,000 records.")
  boolean quick;

  @Override
  public Integer call() throws Exception {
    System.err.println("folio bench materializer: starting an embedded Kafka broker and S3Proxy...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedS3 s3 = EmbeddedS3.start(null, "bench", "bench-secret")) {
      s3.createBucket("folio-bench");
      WalTopicConfig topic = WalTopicConfig.singleBroker("folio-bench.");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        WalTopic.ensure(admin, topic);
      }
      LocalFlink.S3 flinkS3 = new LocalFlink.S3(s3.endpoint(), s3.accessKey(), s3.secretKey(),
          "s3a://folio-bench/flink/checkpoints");
      MaterializerBenchmark.Result r = new MaterializerBenchmark(kafka.bootstrapServers(), topic,
          new StorageLayout("s3a://folio-bench/", "bench"), flinkS3, quick, System.err).run();
      double megabytes = r.materializerRecordsPerSecond() * r.walBytesPerRecord() / 1e6;
      new BenchReport("materializer", "WAL materializer (parallelism " + r.parallelism() + ") beside a bare Kafka"
          + " consumer, " + String.format("%,d", r.records()) + " records of heap inserts")
          .row("materializer: WAL to layers in S3", BenchReport.format(r.materializerRecordsPerSecond()) + " records/s",
              BenchReport.format(megabytes) + " MB/s of WAL")
          .row("bare KafkaConsumer, same topic", BenchReport.format(r.consumerRecordsPerSecond()) + " records/s",
              "(reference)")
          .row("throughput ratio", BenchReport.format(r.throughputRatio()), "target >= 0.5")
          .row("lag, flush to committed index, p50", BenchReport.format(r.lagP50Millis()) + " ms",
              String.format("%d flushes at %,d records/s, checkpoints every %d ms", r.lagSamples(),
                  r.lagRecordsPerSecond(), r.checkpointInterval().toMillis()))
          .row("lag, flush to committed index, p99", BenchReport.format(r.lagP99Millis()) + " ms", "")
          .result("throughput_ratio", r.throughputRatio())
          .result("records_per_s", r.materializerRecordsPerSecond())
          .result("consumer_records_per_s", r.consumerRecordsPerSecond())
          .result("lag_p50_ms", r.lagP50Millis())
          .result("lag_p99_ms", r.lagP99Millis())
          .print(System.out);
    }
    return 0;
  }
}
