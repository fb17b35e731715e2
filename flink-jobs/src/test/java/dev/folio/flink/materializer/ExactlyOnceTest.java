package dev.folio.flink.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.flink.FlinkS3;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.PageChecks;
import dev.folio.flink.S3Timelines;
import dev.folio.flink.WalWorkload;
import dev.folio.format.Lsn;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.BytesLayerSource;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerFile;
import dev.folio.format.layer.LayerKind;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Exactly once under failure: the folder and the committer throw at random points (the committer
 * after a checkpoint completed, before its indexes are written), Flink restarts the job from its
 * last checkpoint, and in the end the pages are those of the oracle, no layer is listed twice, and
 * every committed record sits in exactly one listed delta layer.
 */
@RealInfra
class ExactlyOnceTest {
  /** Failures the injector still has to cause, and the points where it causes them. */
  static final AtomicInteger FOLDER_FAILURES = new AtomicInteger();
  static final AtomicInteger COMMITTER_FAILURES = new AtomicInteger();
  static final AtomicLong FOLDED = new AtomicLong();
  static final AtomicLong FAIL_FOLDER_AT = new AtomicLong();
  static final AtomicLong FAIL_COMMIT_AT = new AtomicLong();
  static final AtomicInteger CAUSED = new AtomicInteger();

  /** Throws in the folder after a number of records, and in the committer at a checkpoint. */
  static final class Faults implements FaultInjector {
    @Override
    public void afterFold(int subtask, long lsn) {
      if (FOLDED.incrementAndGet() >= FAIL_FOLDER_AT.get() && FOLDER_FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        FAIL_FOLDER_AT.addAndGet(150);
        CAUSED.incrementAndGet();
        throw new IllegalStateException("injected failure in the folder");
      }
    }

    @Override
    public void beforeCommit(long checkpointId) {
      if (checkpointId >= FAIL_COMMIT_AT.get() && COMMITTER_FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        FAIL_COMMIT_AT.set(checkpointId + 3);
        CAUSED.incrementAndGet();
        throw new IllegalStateException("injected failure in the committer at checkpoint " + checkpointId);
      }
    }
  }

  @Test
  void failuresAnywhereReplayToTheSamePages(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    Random random = new Random(21);
    FOLDER_FAILURES.set(2);
    COMMITTER_FAILURES.set(2);
    FOLDED.set(0);
    CAUSED.set(0);
    FAIL_FOLDER_AT.set(100 + random.nextInt(300));
    FAIL_COMMIT_AT.set(2 + random.nextInt(4));

    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, topic);
    }
    StorageLayout layout = new StorageLayout(s3.s3aRoot(), "test");
    StreamExecutionEnvironment env = LocalFlink.environment(FlinkS3.of(s3), 2, Duration.ofMillis(700));
    WalMaterializerJob.build(env, MaterializerConfig.of(kafka.bootstrapServers(), topic, layout).withImageEveryRecords(8), new Faults());
    JobClient job = env.executeAsync("materializer-exactly-once");
    try (WalWorkload workload = new WalWorkload(WalWriterConfig.of(kafka.bootstrapServers(), topic), 2, 23);
        S3Timelines stored = new S3Timelines(s3, layout)) {
      workload.run(150);
      Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> CAUSED.get() == 4);
      for (TimelineId t : workload.timelines()) {
        Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> {
          TimelineIndex newest = stored.newest(t);
          return newest != null && Lsn.compare(newest.consistentLsn(), workload.flushedLsn(t)) >= 0;
        });
      }

      for (TimelineId t : workload.timelines()) {
        PageChecks.everyVersionMatches(stored, workload, t);
        TimelineIndex newest = stored.newest(t);
        List<String> names = newest.layers().stream().map(LayerDescriptor::fileName).toList();
        assertThat(new HashSet<>(names)).as("layers listed once").hasSize(names.size());

        List<String> seen = new ArrayList<>();
        for (LayerDescriptor d : newest.layers()) {
          if (d.name().kind() == LayerKind.DELTA) {
            String path = layout.layer(t, d.name());
            try (LayerFile file = LayerFile.open(new BytesLayerSource(path, stored.get(path)))) {
              file.scan(e -> seen.add(e.key() + "@" + e.lsn()));
            }
          }
        }
        assertThat(new HashSet<>(seen)).as("no record in two layers").hasSize(seen.size());
        Set<String> expected = new HashSet<>();
        for (WalRecord r : workload.committed(t)) {
          expected.add(WalRecords.key(r) + "@" + r.getLsn());
        }
        assertThat(seen).as("every committed record, once").containsExactlyInAnyOrderElementsOf(expected);
      }
    } finally {
      job.cancel().get();
    }
  }
}
