package dev.folio.cli.bench;

import dev.folio.flink.bench.MaterializerBenchmark;
import java.util.concurrent.Callable;
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
    try (EmbeddedPipeline embedded = EmbeddedPipeline.start("materializer")) {
      MaterializerBenchmark.Result r = new MaterializerBenchmark(embedded.pipeline(), quick, System.err).run();
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
