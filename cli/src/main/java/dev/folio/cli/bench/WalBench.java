package dev.folio.cli.bench;

import dev.folio.testsupport.EmbeddedKafka;
import dev.folio.wal.bench.WalBenchmark;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code folio bench wal}: the WalWriter beside a bare KafkaProducer, on one broker. */
@Command(name = "wal", mixinStandardHelpOptions = true,
    description = {"WalWriter throughput beside a bare KafkaProducer sending the same bytes, then commits/s and",
        "commit latency with 1, 8 and 64 concurrent committers (group commit). Starts an embedded",
        "Kafka broker unless --bootstrap-servers names a cluster."})
final class WalBench implements Callable<Integer> {
  @Option(names = "--quick", description = "A short run (about 40 s).")
  boolean quick;

  @Option(names = "--bootstrap-servers", description = "A Kafka cluster to measure instead of an embedded broker.")
  String bootstrapServers;

  @Override
  public Integer call() throws Exception {
    EmbeddedKafka broker = null;
    if (bootstrapServers == null) {
      System.err.println("folio bench wal: starting an embedded Kafka broker...");
      broker = EmbeddedKafka.start();
    }
    String servers = broker != null ? broker.bootstrapServers() : bootstrapServers;
    WalTopicConfig topic = WalTopicConfig.singleBroker(
        "folio-bench-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + ".");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      WalTopic.ensure(admin, topic);
      WalBenchmark.Result r = new WalBenchmark(servers, topic, quick, System.err).run();
      BenchReport report = new BenchReport("wal", "WAL on Kafka (" + topic.partitions()
          + " partitions, acks=all): WalWriter beside a bare KafkaProducer")
          .row("WalWriter, flushes of 20,000 records", BenchReport.format(r.writer().recordsPerSecond())
              + " records/s", BenchReport.format(r.writer().megabytesPerSecond()) + " MB/s")
          .row("bare KafkaProducer, same records", BenchReport.format(r.bareProducer().recordsPerSecond())
              + " records/s", BenchReport.format(r.bareProducer().megabytesPerSecond()) + " MB/s  (reference)")
          .row("throughput ratio", BenchReport.format(r.throughputRatio()), "target >= 0.8")
          .row("bare KafkaProducer, bytes encoded before", BenchReport.format(r.preEncoded().recordsPerSecond())
              + " records/s", "the cost of encoding, for comparison")
          .row("throughput ratio to pre-encoded", BenchReport.format(
              r.writer().recordsPerSecond() / r.preEncoded().recordsPerSecond()), "");
      for (WalBenchmark.Commits c : r.commits()) {
        report.row("commits, " + c.committers() + " committer" + (c.committers() == 1 ? "" : "s"),
            BenchReport.format(c.commitsPerSecond()) + " commits/s",
            "p50 " + BenchReport.format(c.p50Millis()) + " ms, p99 " + BenchReport.format(c.p99Millis()) + " ms");
      }
      WalBenchmark.resultLine(r).forEach(report::result);
      report.print(System.out);
      admin.deleteTopics(List.of(topic.walTopic(), topic.deadLetterTopic())).all().get();
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
    return 0;
  }
}
