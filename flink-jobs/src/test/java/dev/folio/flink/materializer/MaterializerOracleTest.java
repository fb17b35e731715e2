package dev.folio.flink.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.flink.FlinkS3;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.PageChecks;
import dev.folio.flink.S3Timelines;
import dev.folio.flink.WalWorkload;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.PageReconstructor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.reader.DeadLetters;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriterConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The materializer on a MiniCluster (RocksDB, checkpoints on S3) with the real broker and S3
 * endpoint: after each committed index, every page at every LSN up to the index's consistent LSN,
 * rebuilt from the layers in S3, equals folding the records directly; garbage goes to the
 * dead-letter topic and the job goes on.
 */
@RealInfra
class MaterializerOracleTest {

  @Test
  void everyCommittedPageEqualsTheFoldOfTheLog(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, topic);
    }
    StorageLayout layout = new StorageLayout(s3.s3aRoot(), "test");
    StreamExecutionEnvironment env = LocalFlink.environment(FlinkS3.of(s3), 2, Duration.ofSeconds(1));
    WalMaterializerJob.build(env, MaterializerConfig.of(kafka.bootstrapServers(), topic, layout).withImageEveryRecords(8), FaultInjector.NONE);
    JobClient job = env.executeAsync("materializer-oracle");
    try (WalWorkload workload = new WalWorkload(WalWriterConfig.of(kafka.bootstrapServers(), topic), 3, 11);
        S3Timelines stored = new S3Timelines(s3, layout)) {
      workload.run(60);
      // Garbage in the middle of the log: bytes that are no WAL message, and a record that
      // changes a page nobody ever initialized (it would have no base).
      TimelineId first = workload.timelines().get(0);
      PageKey orphan = new PageKey(1, 999, Fork.MAIN, 0);
      try (KafkaProducer<byte[], byte[]> rogue = new KafkaProducer<>(kafka.producerProperties())) {
        rogue.send(new ProducerRecord<>(topic.walTopic(), 1, orphan.encode(),
            "no WAL here".getBytes(StandardCharsets.UTF_8))).get();
      }
      workload.writer(first).append(orphan, 5, new HeapInsert(1, 0, ByteBuffer.wrap(new byte[] {1})));
      workload.run(60);

      for (TimelineId t : workload.timelines()) {
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> {
          TimelineIndex newest = stored.newest(t);
          return newest != null && Lsn.compare(newest.consistentLsn(), workload.flushedLsn(t)) >= 0;
        });
      }
      int compared = 0;
      for (TimelineId t : workload.timelines()) {
        compared += PageChecks.everyVersionMatches(stored, workload, t);
        TimelineIndex newest = stored.newest(t);
        assertThat(newest.kafkaOffsets()).hasSize(topic.partitions());
        assertThat(newest.walArchive()).isNotEmpty();
        assertThat(newest.jobId()).isEqualTo(job.getJobID().toHexString());
      }
      assertThat(compared).isGreaterThan(500);
      assertThat(PageReconstructor.pageAt(stored.layers(stored.newest(first)), orphan, Lsn.MAX.value())).isEmpty();

      Set<String> reasons = new HashSet<>();
      try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(kafka.consumerProperties("dlq"))) {
        dlq.subscribe(List.of(topic.deadLetterTopic()));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
          for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
            reasons.add(new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8));
          }
          return reasons.size() >= 2;
        });
      }
      assertThat(reasons).containsExactlyInAnyOrder("WAL_NOT_SINGLE_OBJECT", "REDO_NO_BASE");
    } finally {
      job.cancel().get();
    }
  }
}
