package dev.folio.cli.bench;

import dev.folio.flink.bench.ReplayBenchmark;
import java.util.concurrent.Callable;
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
    try (EmbeddedPipeline embedded = EmbeddedPipeline.start("replay")) {
      ReplayBenchmark.Result r = new ReplayBenchmark(embedded.pipeline(), quick, System.err).run();
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
