package dev.folio.flink.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.flink.FlinkS3;
import dev.folio.flink.S3Timelines;
import dev.folio.flink.WalWorkload;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.materializer.FaultInjector;
import dev.folio.flink.materializer.MaterializerConfig;
import dev.folio.flink.materializer.WalMaterializerJob;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.layer.PageReconstructor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.page.Page;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriterConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The replay on a MiniCluster with the real broker and S3 endpoint, after Kafka has lost the
 * records the archive holds (deleted as retention would): a replay inside the archived history
 * gives pages identical to the materializer's layers at that LSN; one up to the end of the log
 * reads the archive, then Kafka, and gives the pages the log folds to (the oracle).
 */
@RealInfra
class WalReplayJobTest {

  @Test
  void replayRebuildsThePagesFromTheArchiveAndKafka(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    StorageLayout layout = new StorageLayout(s3.s3aRoot(), "test");
    try (Admin ensure = kafka.admin()) {
      WalTopic.ensure(ensure, topic);
    }
    try (Admin admin = kafka.admin();
        WalWorkload workload = new WalWorkload(WalWriterConfig.of(kafka.bootstrapServers(), topic), 2, 29);
        S3Timelines stored = new S3Timelines(s3, layout)) {
      TimelineId timeline = workload.timelines().get(0);

      StreamExecutionEnvironment env = LocalFlink.environment(FlinkS3.of(s3), 2, Duration.ofSeconds(1));
      WalMaterializerJob.build(env, MaterializerConfig.of(kafka.bootstrapServers(), topic, layout)
          .withImageEveryRecords(8), FaultInjector.NONE);
      JobClient materializer = env.executeAsync("materializer");
      try {
        workload.run(80);
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> {
          TimelineIndex newest = stored.newest(timeline);
          return newest != null && Lsn.compare(newest.consistentLsn(), workload.flushedLsn(timeline)) >= 0;
        });
      } finally {
        materializer.cancel().get();
      }
      TimelineIndex materialized = stored.newest(timeline);

      // Retention: Kafka drops everything the index says the archive holds.
      Map<TopicPartition, RecordsToDelete> drop = new HashMap<>();
      materialized.kafkaOffsets().forEach(o -> drop.put(new TopicPartition(o.topic(), o.partition()),
          RecordsToDelete.beforeOffset(o.offset())));
      admin.deleteRecords(drop).all().get();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      drop.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
      assertThat(admin.listOffsets(earliest).all().get().values().stream().mapToLong(i -> i.offset()).sum())
          .isGreaterThan(0);

      // Inside the archived history: the same pages as the materializer's layers.
      long middle = workload.committed(timeline).get(workload.committed(timeline).size() / 2).getLsn();
      TimelineIndex rebuilt = replay(kafka, s3, layout, admin, timeline, middle, stored);
      assertThat(rebuilt.startLsn()).isEqualTo(middle);
      assertThat(rebuilt.ancestor()).isNull();
      LayerMap materializerPages = stored.layers(materialized);
      LayerMap replayPages = stored.layers(rebuilt);
      int compared = 0;
      for (PageKey key : workload.keys(timeline)) {
        Optional<Page> expected = PageReconstructor.pageAt(materializerPages, key, middle);
        Optional<Page> actual = PageReconstructor.pageAt(replayPages, key, middle);
        assertThat(bytes(actual)).as("page %s at %s", key, Lsn.format(middle)).isEqualTo(bytes(expected));
        assertThat(bytes(actual)).isEqualTo(bytes(workload.fold(timeline, key, middle)));
        compared += actual.isPresent() ? 1 : 0;
      }
      assertThat(compared).isGreaterThan(3);

      // Past the archive: more records, only in Kafka, then a replay to the end of the log.
      workload.run(40);
      long end = workload.flushedLsn(timeline);
      assertThat(Lsn.compare(end, materialized.consistentLsn())).isPositive();
      TimelineIndex tip = replay(kafka, s3, layout, admin, timeline, end, stored);
      LayerMap tipPages = stored.layers(tip);
      for (PageKey key : workload.keys(timeline)) {
        assertThat(bytes(PageReconstructor.pageAt(tipPages, key, end))).as("page %s", key)
            .isEqualTo(bytes(workload.fold(timeline, key, end)));
      }

      // A gap the archive does not cover is refused, not replayed around.
      Map<TopicPartition, RecordsToDelete> all = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      drop.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      admin.listOffsets(latest).all().get().forEach((tp, i) -> all.put(tp, RecordsToDelete.beforeOffset(i.offset())));
      admin.deleteRecords(all).all().get();
      assertThatThrownBy(() -> ReplayPlan.of(layout, admin, kafka.bootstrapServers(), topic.walTopic(), timeline, end,
          TimelineId.generate()))
          .isInstanceOfSatisfying(ReplayException.class, e -> assertThat(e.code()).isEqualTo(ReplayException.WAL_GAP));
    }
  }

  private static byte[] bytes(Optional<Page> page) {
    return page.map(Page::toByteArray).orElse(null);
  }

  private static TimelineIndex replay(KafkaEndpoint kafka, S3Endpoint s3, StorageLayout layout, Admin admin,
      TimelineId timeline, long lsn, S3Timelines stored) throws Exception {
    TimelineId into = TimelineId.generate();
    ReplayPlan plan = ReplayPlan.of(layout, admin, kafka.bootstrapServers(), WalTopicConfig.singleBroker(
        kafka.topicPrefix()).walTopic(), timeline, lsn, into);
    StreamExecutionEnvironment env = LocalFlink.boundedEnvironment(FlinkS3.of(s3), 2);
    WalReplayJob.build(env, plan);
    JobExecutionResult result = env.execute("replay");
    assertThat(result.<Long>getAccumulatorResult(WalReplayJob.RECORDS_REFUSED)).isZero();
    TimelineIndex index = stored.newest(into);
    assertThat(index.consistentLsn()).isEqualTo(lsn);
    return index;
  }
}
