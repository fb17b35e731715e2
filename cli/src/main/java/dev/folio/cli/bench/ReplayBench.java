package dev.folio.cli.bench;

import dev.folio.flink.bench.ReplayBenchmark;
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

/** {@code folio bench replay}: WAL replay from Kafka and from the archive beside a bare Kafka consumer. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"WAL replay throughput (records/s) from Kafka and from the WAL archive in S3, beside a bare",
        "Kafka consumer reading the same records. Runs on an embedded Kafka broker, S3Proxy and Flink",
        "MiniClusters (parallelism 2)."})
final class ReplayBench implements Callable<Integer> {
  @Option(names = "--quick", description = "A short run (about a minute) with a backlog of 153,000 records.")
  boolean quick;

  @Override
  public Integer call() throws Exception {
    System.err.println("folio bench replay: starting an embedded Kafka broker and S3Proxy...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedS3 s3 = EmbeddedS3.start(null, "bench", "bench-secret")) {
      s3.createBucket("folio-bench");
      WalTopicConfig topic = WalTopicConfig.singleBroker("folio-bench.");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        WalTopic.ensure(admin, topic);
      }
      LocalFlink.S3 flinkS3 = new LocalFlink.S3(s3.endpoint(), s3.accessKey(), s3.secretKey(),
          "s3a://folio-bench/flink/checkpoints");
      ReplayBenchmark.Result r = new ReplayBenchmark(kafka.bootstrapServers(), topic,
          new StorageLayout("s3a://folio-bench/", "bench"), flinkS3, quick, System.err).run();
      new BenchReport("replay", "WAL replay (parallelism " + r.parallelism() + ") of "
          + String.format("%,d", r.records()) + " records into " + String.format("%,d", r.pages())
          + " pages, beside a bare Kafka consumer")
          .row("replay, every record from Kafka", BenchReport.format(r.kafkaRecordsPerSecond()) + " records/s",
              "plan, read, sort, redo, image layers, index")
          .row("replay, every record from the WAL archive", BenchReport.format(r.archiveRecordsPerSecond())
              + " records/s", "after the materializer archived them")
          .row("bare KafkaConsumer, same topic", BenchReport.format(r.consumerRecordsPerSecond()) + " records/s",
              "(reference)")
          .result("kafka_ratio", r.kafkaRatio())
          .result("archive_ratio", r.archiveRatio())
          .result("kafka_records_per_s", r.kafkaRecordsPerSecond())
          .result("archive_records_per_s", r.archiveRecordsPerSecond())
          .result("consumer_records_per_s", r.consumerRecordsPerSecond())
          .print(System.out);
    }
    return 0;
  }
}
