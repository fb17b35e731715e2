package dev.folio.flinkconf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.flink.FlinkS3;
import dev.folio.flink.PageChecks;
import dev.folio.flink.S3Timelines;
import dev.folio.flink.WalWorkload;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.replay.WalReplayJob;
import dev.folio.flink.submit.JobSubmitter;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The materializer on a real Flink cluster: a JobManager and a TaskManager in their own JVMs,
 * started from the Maven jars with conf/, the shaded job jar submitted through the REST API (what
 * {@code folio flink submit} does), WAL written to the real broker, pages checked in S3 against
 * the oracle, the job's own metrics read back from the REST API; then a WAL replay submitted the
 * same way rebuilds a timeline's pages, checked against the oracle. No process is left behind.
 */
@RealInfra
class FlinkClusterIT {

  @Test
  void theShadedJobMaterializesOnAStandaloneCluster(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    Path home = Path.of(System.getProperty("folio.flink.home"));
    Path conf = Path.of(System.getProperty("folio.flink.conf"));
    Path jar;
    try (var jars = Files.list(Path.of(System.getProperty("folio.job.jar.dir")))) {
      jar = jars.filter(p -> p.toString().endsWith("-job.jar")).findFirst().orElseThrow();
    }
    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, topic);
    }
    StorageLayout layout = new StorageLayout(s3.s3aRoot(), "cluster");
    Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "flink-cluster");

    StandaloneFlink cluster = StandaloneFlink.start(home, conf, work,
        Map.of("s3.endpoint", s3.endpoint().toString(),
            "execution.checkpointing.dir", s3.s3aRoot() + "flink/checkpoints",
            "execution.checkpointing.interval", "1s"),
        Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey()));
    try (cluster;
        JobSubmitter submitter = new JobSubmitter(cluster.jobManager());
        WalWorkload workload = new WalWorkload(WalWriterConfig.of(kafka.bootstrapServers(), topic), 2, 31);
        S3Timelines stored = new S3Timelines(s3, layout)) {
      JobID job = submitter.submit(jar, 2, "--bootstrap-servers", kafka.bootstrapServers(),
          "--topic-prefix", topic.prefix(), "--partitions", Integer.toString(topic.partitions()),
          "--storage", s3.s3aRoot(), "--tenant", "cluster", "--checkpoint-interval", "1s");
      Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> submitter.status(job) == JobStatus.RUNNING);

      workload.run(60);
      for (TimelineId t : workload.timelines()) {
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> {
          TimelineIndex newest = stored.newest(t);
          return newest != null && Lsn.compare(newest.consistentLsn(), workload.flushedLsn(t)) >= 0;
        });
        assertThat(PageChecks.everyVersionMatches(stored, workload, t)).isPositive();
      }
      assertThat(foldedRecords(cluster, job)).isGreaterThan(0);

      submitter.cancel(job);
      Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> submitter.status(job) == JobStatus.CANCELED);

      // WAL replay on the same cluster: the shaded jar's WalReplayJob (its main plans here, reading
      // the indexes through Flink's S3 file system), then the rebuilt pages against the oracle.
      LocalFlink.useS3(FlinkS3.of(s3));
      TimelineId source = workload.timelines().get(0);
      long lsn = workload.flushedLsn(source);
      TimelineId into = TimelineId.generate();
      JobID replay = submitter.submit(jar, WalReplayJob.class.getName(), 2, "--bootstrap-servers",
          kafka.bootstrapServers(), "--topic-prefix", topic.prefix(), "--storage", s3.s3aRoot(), "--tenant", "cluster",
          "--timeline", source.toString(), "--to-lsn", Lsn.format(lsn), "--into", into.toString());
      Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> submitter.status(replay).isGloballyTerminalState());
      assertThat(submitter.status(replay)).isEqualTo(JobStatus.FINISHED);
      assertThat(((Number) submitter.accumulators(replay).get(WalReplayJob.PAGES)).longValue()).isPositive();
      LayerMap rebuilt = stored.layers(stored.newest(into));
      for (PageKey key : workload.keys(source)) {
        assertThat(PageReconstructor.pageAt(rebuilt, key, lsn).map(Page::toByteArray).orElse(null)).as("%s", key)
            .isEqualTo(workload.fold(source, key, lsn).map(Page::toByteArray).orElse(null));
      }
    } finally {
      for (Process p : cluster.processes()) {
        assertThat(p.isAlive()).as("a Flink JVM is still running").isFalse();
      }
      StandaloneFlink.deleteQuietly(work);
    }
  }

  /** The folder's record counter, summed over its subtasks, from the cluster's REST API. */
  private static long foldedRecords(StandaloneFlink cluster, JobID job) throws Exception {
    String vertices = cluster.get("/jobs/" + job);
    Matcher folder = Pattern.compile("\"id\":\"([0-9a-f]+)\",\"slotSharingGroupId\":\"[^\"]*\",\"name\":\"page-folder")
        .matcher(vertices);
    if (!folder.find()) {
      folder = Pattern.compile("\"id\":\"([0-9a-f]+)\",\"name\":\"page-folder").matcher(vertices);
      assertThat(folder.find()).as("the page-folder vertex in %s", vertices).isTrue();
    }
    String vertex = folder.group(1);
    long[] total = {0};
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      String metrics = cluster.get("/jobs/" + job + "/vertices/" + vertex
          + "/subtasks/metrics?get=page-folder.folioRecordsFolded&agg=sum");
      Matcher sum = Pattern.compile("\"sum\":([0-9.]+)").matcher(metrics);
      total[0] = sum.find() ? (long) Double.parseDouble(sum.group(1)) : 0;
      return total[0] > 0;
    });
    return total[0];
  }
}
