package dev.folio.flink.gc;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.layer.PageReconstructor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.page.Page;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriterConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Garbage collection in the running materializer (a PITR window of two seconds), on the real
 * broker and S3 endpoint: a named timeline loses old layers and its index says from where reads
 * are kept; every page at every LSN from there on, and at a child's branch point below it, still
 * equals the fold of the log, read from the layers left; the WAL archive stays whole; a timeline no
 * branch names is deleted with its archive.
 */
@RealInfra
class GarbageCollectionTest {

  @Test
  void oldLayersGoAndEveryNeededReadStays(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, topic);
    }
    StorageLayout layout = new StorageLayout(s3.s3aRoot(), "test");
    StreamExecutionEnvironment env = LocalFlink.environment(FlinkS3.of(s3), 2, Duration.ofSeconds(1));
    WalMaterializerJob.build(env, MaterializerConfig.of(kafka.bootstrapServers(), topic, layout).withImageEveryRecords(4)
        .withGc(new GarbageCollector.Settings(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(1))),
        FaultInjector.NONE);
    JobClient job = env.executeAsync("materializer-gc");
    try (WalWorkload workload = new WalWorkload(WalWriterConfig.of(kafka.bootstrapServers(), topic), 2, 5);
        S3Timelines stored = new S3Timelines(s3, layout)) {
      TimelineId main = workload.timelines().get(0);
      TimelineId unnamed = workload.timelines().get(1);
      name(s3, layout, "main", main);
      workload.run(40);
      // A child of main, branched early: main's history at that point must stay readable.
      List<WalRecord> early = workload.committed(main);
      long branchPoint = early.get(early.size() / 3).getLsn();
      TimelineId child = TimelineId.generate();
      put(s3, layout.index(child, 1),
          TimelineIndex.created(child, new TimelineIndex.Ancestor(main, branchPoint), Instant.now()).toJson());
      name(s3, layout, "child", child);

      Set<String> everListed = new HashSet<>();
      Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
        workload.run(5, List.of(main));
        TimelineIndex newest = stored.newest(main);
        if (newest == null) {
          return false;
        }
        newest.layers().forEach(d -> everListed.add(d.name().toString()));
        long files = stored.list(layout.layers(main)).size();
        return Lsn.compare(newest.retainedFromLsn(), branchPoint) > 0 && files < everListed.size()
            && stored.newest(unnamed) == null;
      });
      long end = workload.flushedLsn(main);
      Awaitility.await().atMost(Duration.ofMinutes(1))
          .until(() -> Lsn.compare(stored.newest(main).consistentLsn(), end) >= 0);

      try (S3Timelines fresh = new S3Timelines(s3, layout)) {
        TimelineIndex newest = fresh.newest(main);
        long retained = newest.retainedFromLsn();
        assertThat(Lsn.compare(retained, branchPoint)).isPositive();
        LayerMap layers = fresh.layers(newest);
        int compared = 0;
        for (WalRecord r : workload.committed(main)) {
          if (Lsn.compare(r.getLsn(), retained) < 0 || Lsn.compare(r.getLsn(), newest.consistentLsn()) > 0) {
            continue;
          }
          compared += check(workload, layers, main, r.getLsn());
        }
        compared += check(workload, layers, main, branchPoint);
        assertThat(compared).isGreaterThan(100);
        // The archive is the log: whole, whatever layers went.
        long archived = newest.walArchive().stream().mapToLong(TimelineIndex.ArchiveFile::records).sum();
        assertThat(archived).isGreaterThanOrEqualTo(workload.committed(main).stream()
            .filter(r -> Lsn.compare(r.getLsn(), newest.consistentLsn()) <= 0).count());
        assertThat(newest.layers().stream().mapToLong(LayerDescriptor::sizeBytes).sum()).isPositive();
        assertThat(fresh.list(layout.walArchive(unnamed))).isEmpty();
        assertThat(fresh.list(layout.timeline(unnamed))).isEmpty();
      }
    } finally {
      job.cancel().get();
    }
  }

  /** Every page of the timeline at {@code lsn}, from the layers, against the fold of the log; how many exist. */
  private static int check(WalWorkload workload, LayerMap layers, TimelineId timeline, long lsn) throws Exception {
    int pages = 0;
    for (PageKey key : workload.keys(timeline)) {
      Optional<Page> expected = workload.fold(timeline, key, lsn);
      assertThat(PageReconstructor.pageAt(layers, key, lsn).map(Page::toByteArray).orElse(null))
          .as("%s at %s", key, Lsn.format(lsn)).isEqualTo(expected.map(Page::toByteArray).orElse(null));
      pages += expected.isPresent() ? 1 : 0;
    }
    return pages;
  }

  private static void name(S3Endpoint s3, StorageLayout layout, String branch, TimelineId timeline) {
    put(s3, layout.branches() + branch, timeline.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void put(S3Endpoint s3, String path, byte[] bytes) {
    try (var client = s3.client()) {
      client.putObject(b -> b.bucket(s3.bucket()).key(path.substring(("s3a://" + s3.bucket() + "/").length())),
          RequestBody.fromBytes(bytes));
    }
  }
}
