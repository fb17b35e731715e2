package dev.folio.cli.bench;

import dev.folio.pageservice.bench.GetPageBenchmark;
import dev.folio.testsupport.EmbeddedKafka;
import dev.folio.testsupport.EmbeddedS3;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code folio bench getpage}: GetPage@LSN beside a bare 8 KiB gRPC call. */
@Command(name = "getpage", mixinStandardHelpOptions = true,
    description = {"GetPage latency (p50/p99) with 1 client and throughput with 16, for a cached page, a page",
        "rebuilt from an image and 10 deltas, and a page from a layer not in the local cache, beside a",
        "bare gRPC call returning 8 KiB. Runs on an embedded Kafka broker and S3Proxy."})
final class GetPageBench implements Callable<Integer> {
  @Option(names = "--quick", description = "A short run (about a minute).")
  boolean quick;

  @Override
  public Integer call() throws Exception {
    System.err.println("folio bench getpage: starting an embedded Kafka broker and S3Proxy...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedS3 s3 = EmbeddedS3.start(null, "bench", "bench-secret")) {
      s3.createBucket("folio-bench");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        WalTopic.ensure(admin, WalTopicConfig.singleBroker(WalTopicConfig.DEFAULT_PREFIX));
      }
      S3Endpoint endpoint = new S3Endpoint(s3.endpoint(), EmbeddedS3.REGION, s3.accessKey(), s3.secretKey(),
          "folio-bench", "");
      GetPageBenchmark.Result r = new GetPageBenchmark(kafka.bootstrapServers(), endpoint.s3aRoot(),
          endpoint.s3aProperties(), quick, System.err).run();
      BenchReport report = new BenchReport("getpage", "GetPage@LSN beside a bare 8 KiB gRPC call, same server stack");
      for (GetPageBenchmark.Case c : new GetPageBenchmark.Case[] {r.bare(), r.cached(), r.rebuilt(), r.cold()}) {
        report.row(c.name() + ", 1 client p50 / p99", us(c.one(), 50) + " / " + us(c.one(), 99) + " us",
            c == r.bare() ? "(reference)" : "");
        report.row(c.name() + ", 16 clients", BenchReport.format(c.perSecond16()) + " calls/s",
            "p99 " + us(c.sixteen(), 99) + " us");
      }
      report.row("cached p50 / bare p50", BenchReport.format(r.cachedP50Ratio()), "target <= 1.5")
          .row("rebuilt p99", us(r.rebuilt().one(), 99) + " us", "target <= 2000")
          .row("GetPage/s, 16 clients (cached)", BenchReport.format(r.cached().perSecond16()), "target >= 20000")
          .result("cached_p50_ratio", r.cachedP50Ratio())
          .result("cached_p50_us", r.cached().one().getValueAtPercentile(50))
          .result("bare_p50_us", r.bare().one().getValueAtPercentile(50))
          .result("rebuilt_p99_us", r.rebuilt().one().getValueAtPercentile(99))
          .result("cold_p99_us", r.cold().one().getValueAtPercentile(99))
          .result("getpage_per_s_16", r.cached().perSecond16())
          .result("rebuilt_per_s_16", r.rebuilt().perSecond16())
          .print(System.out);
    }
    return 0;
  }

  private static String us(Histogram h, double percentile) {
    return String.valueOf(h.getValueAtPercentile(percentile));
  }
}
