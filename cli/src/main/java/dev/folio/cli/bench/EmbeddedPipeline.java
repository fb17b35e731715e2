package dev.folio.cli.bench;

import dev.folio.flink.bench.Pipeline;
import dev.folio.flink.local.LocalFlink;
import dev.folio.format.layout.StorageLayout;
import dev.folio.testsupport.EmbeddedKafka;
import dev.folio.testsupport.EmbeddedS3;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** An embedded Kafka broker and S3Proxy, with the WAL topic and a bucket: what the Flink benchmarks run on. */
final class EmbeddedPipeline implements AutoCloseable {
  private final EmbeddedKafka kafka;
  private final EmbeddedS3 s3;
  private final Pipeline pipeline;

  private EmbeddedPipeline(EmbeddedKafka kafka, EmbeddedS3 s3, Pipeline pipeline) {
    this.kafka = kafka;
    this.s3 = s3;
    this.pipeline = pipeline;
  }

  static EmbeddedPipeline start(String bench) throws Exception {
    System.err.println("folio bench " + bench + ": starting an embedded Kafka broker and S3Proxy...");
    EmbeddedKafka kafka = EmbeddedKafka.start();
    EmbeddedS3 s3 = null;
    try {
      s3 = EmbeddedS3.start(null, "bench", "bench-secret");
      s3.createBucket("folio-bench");
      WalTopicConfig topic = WalTopicConfig.singleBroker("folio-bench.");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        WalTopic.ensure(admin, topic);
      }
      LocalFlink.S3 flinkS3 = new LocalFlink.S3(s3.endpoint(), s3.accessKey(), s3.secretKey(),
          "s3a://folio-bench/flink/checkpoints");
      return new EmbeddedPipeline(kafka, s3, new Pipeline(kafka.bootstrapServers(), topic,
          new StorageLayout("s3a://folio-bench/", "bench"), flinkS3));
    } catch (Exception e) {
      if (s3 != null) {
        s3.close();
      }
      kafka.close();
      throw e;
    }
  }

  Pipeline pipeline() {
    return pipeline;
  }

  @Override
  public void close() throws Exception {
    try {
      s3.close();
    } finally {
      kafka.close();
    }
  }
}
