package dev.folio.pageservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.folio.flink.FlinkS3;
import dev.folio.flink.WalWorkload;
import dev.folio.flink.local.LocalFlink;
import dev.folio.flink.materializer.FaultInjector;
import dev.folio.flink.materializer.MaterializerConfig;
import dev.folio.flink.materializer.WalMaterializerJob;
import dev.folio.format.Lsn;
import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.page.Page;
import dev.folio.format.wal.WalRecords;
import dev.folio.pageservice.auth.JwtAuthenticator;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.schemas.pageservice.v1.GetLsnByTimestampRequest;
import dev.folio.schemas.pageservice.v1.GetLsnByTimestampResponse;
import dev.folio.schemas.pageservice.v1.GetPageRequest;
import dev.folio.schemas.pageservice.v1.GetPageResponse;
import dev.folio.schemas.pageservice.v1.GetPagesRequest;
import dev.folio.schemas.pageservice.v1.TimelineState;
import dev.folio.schemas.wal.ClogSetStatus;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.schemas.wal.XactStatus;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import dev.folio.wal.writer.WalWriter;
import dev.folio.wal.writer.WalWriterConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The page service against the real broker, S3Proxy and the materializer on a MiniCluster: every
 * page at every LSN a workload wrote equals the oracle fold, from the tail alone, from layers and
 * tail together, and after a restart; branches read through their ancestor; every kind of bad
 * request gets its own code.
 */
@RealInfra
class PageServiceTest {
  private static final String TENANT = "acme";
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @Test
  void servesEveryVersionOfEveryPageFromTailLayersAndAncestors(KafkaEndpoint kafka, S3Endpoint s3) throws Exception {
    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, topic);
    }
    StorageLayout layout = new StorageLayout(s3.s3aRoot(), TENANT);
    JwtAuthenticator tokens = new JwtAuthenticator(SECRET);
    String token = tokens.issue("test", TENANT, Duration.ofHours(1));
    WalWriterConfig writerConfig = WalWriterConfig.of(kafka.bootstrapServers(), topic);
    PageServiceConfig config = config(kafka, topic, s3);

    try (WalWorkload workload = new WalWorkload(writerConfig, 2, 7);
        ObjectStore store = new ObjectStore(s3.s3aRoot(), s3.s3aProperties())) {
      for (TimelineId t : workload.timelines()) {
        create(store, layout, TimelineIndex.created(t, null, Instant.now()));
      }
      workload.run(40);

      // Tail only: the materializer is not running yet.
      try (PageServer server = PageServer.start(config); PageClient client = new PageClient(server.grpcPort(), token)) {
        for (TimelineId t : workload.timelines()) {
          awaitIngested(client, t, workload.flushedLsn(t));
          assertThat(client.state(TENANT, t).getMaterializedLsn()).isZero();
          assertThat(everyVersionMatches(client, workload, t)).isGreaterThan(20);
        }
        rejectsBadRequests(server, tokens, token, workload.timelines().get(0), workload.flushedLsn(workload.timelines().get(0)));
        answersTimeToLsn(client, workload, workload.timelines().get(0));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("folio_pageservice_getpage_seconds_count", "folio_pageservice_tail_bytes",
            "folio_pageservice_page_cache_hits_total");
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
      }

      StreamExecutionEnvironment env = LocalFlink.environment(FlinkS3.of(s3), 2, Duration.ofSeconds(1));
      WalMaterializerJob.build(env, MaterializerConfig.of(kafka.bootstrapServers(), topic, layout)
          .withImageEveryRecords(4), FaultInjector.NONE);
      JobClient job = env.executeAsync("page-service-test");
      TimelineId parent = workload.timelines().get(0);
      TimelineId child = TimelineId.generate();
      try (PageServer server = PageServer.start(config); PageClient client = new PageClient(server.grpcPort(), token)) {
        for (TimelineId t : workload.timelines()) {
          long flushed = workload.flushedLsn(t);
          Awaitility.await().atMost(Duration.ofMinutes(2))
              .until(() -> Lsn.compare(client.state(TENANT, t).getMaterializedLsn(), flushed) >= 0);
        }
        // Layers below, tail above.
        workload.run(30);
        for (TimelineId t : workload.timelines()) {
          awaitIngested(client, t, workload.flushedLsn(t));
          assertThat(everyVersionMatches(client, workload, t)).isGreaterThan(40);
        }

        // A branch of the parent in the middle of its history.
        List<WalRecord> history = workload.committed(parent);
        long branchLsn = history.get(history.size() / 2).getLsn();
        create(store, layout, TimelineIndex.created(child, new TimelineIndex.Ancestor(parent, branchLsn), Instant.now()));
        PageKey changed = WalRecords.key(history.get(0));
        List<WalRecord> childRecords = new ArrayList<>();
        long childFlushed;
        try (WalWriter writer = WalWriter.open(writerConfig, child, branchLsn, new SimpleMeterRegistry())) {
          childRecords.add(writer.append(changed, 1, new HeapPageInit()));
          childRecords.add(writer.append(changed, 1, new HeapInsert(1, 0, ByteBuffer.wrap(new byte[] {4, 2}))));
          childFlushed = writer.flush().join();
        }
        workload.run(10);
        awaitIngested(client, child, childFlushed);
        awaitIngested(client, parent, workload.flushedLsn(parent));
        assertThat(Lsn.compare(childRecords.get(0).getLsn(), branchLsn)).isPositive();
        Page childPage = page(client.get(TENANT, child, changed, childFlushed));
        assertThat(childPage).isEqualTo(dev.folio.format.redo.Redo.applyAll(null, childRecords));
        for (PageKey key : workload.keys(parent)) {
          if (key.equals(changed)) {
            continue;
          }
          // Inherited: the parent's page as of the branch point, never what the parent wrote after it.
          Optional<Page> expected = workload.fold(parent, key, branchLsn);
          if (expected.isPresent()) {
            assertThat(page(client.get(TENANT, child, key, childFlushed))).isEqualTo(expected.get());
          } else {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> client.get(TENANT, child, key, childFlushed));
            assertThat(PageClient.Failure.of(e)).isEqualTo(new PageClient.Failure(Status.Code.NOT_FOUND,
                "PAGE_NOT_FOUND"));
          }
        }
        TimelineState state = client.state(TENANT, child);
        assertThat(state.getAncestorTimeline()).isEqualTo(parent.toString());
        assertThat(state.getAncestorLsn()).isEqualTo(branchLsn);
      } finally {
        job.cancel().get();
      }

      // A restarted service gives the same answers, from layers it has not cached yet.
      try (PageServer server = PageServer.start(config); PageClient client = new PageClient(server.grpcPort(), token)) {
        for (TimelineId t : workload.timelines()) {
          awaitIngested(client, t, workload.flushedLsn(t));
          assertThat(everyVersionMatches(client, workload, t)).isGreaterThan(40);
        }
      }
    }
  }

  private static PageServiceConfig config(KafkaEndpoint kafka, WalTopicConfig topic, S3Endpoint s3) {
    Properties p = PageServiceConfig.localProperties(kafka.bootstrapServers(), topic, s3.s3aRoot(),
        s3.s3aProperties(), SECRET);
    p.setProperty("wait.max", "2s");
    p.setProperty("index.poll-interval", "200ms");
    return PageServiceConfig.from(p);
  }

  private static void create(ObjectStore store, StorageLayout layout, TimelineIndex index) {
    store.write(layout.index(index.timeline(), index.seq()), index.toJson());
  }

  private static void awaitIngested(PageClient client, TimelineId t, long lsn) {
    Awaitility.await().atMost(Duration.ofMinutes(1))
        .until(() -> Lsn.compare(client.state(TENANT, t).getIngestedLsn(), lsn) >= 0);
  }

  private static Page page(GetPageResponse r) {
    return Page.of(r.getPage().toByteArray());
  }

  /**
   * Every page at every LSN where one of its records ends, and one LSN before each, against the
   * fold of the log; returns how many pages were compared.
   */
  private static int everyVersionMatches(PageClient client, WalWorkload workload, TimelineId t) {
    int compared = 0;
    for (PageKey key : workload.keys(t)) {
      TreeSet<Long> lsns = new TreeSet<>(Long::compareUnsigned);
      for (WalRecord r : workload.committed(t)) {
        if (WalRecords.key(r).equals(key)) {
          lsns.add(r.getLsn());
          lsns.add(r.getLsn() - 1);
        }
      }
      lsns.add(workload.flushedLsn(t));
      for (long lsn : lsns) {
        Optional<Page> expected = workload.fold(t, key, lsn);
        if (expected.isPresent()) {
          GetPageResponse r = client.get(TENANT, t, key, lsn);
          assertThat(page(r)).as("%s at %s", key, Lsn.format(lsn)).isEqualTo(expected.get());
          assertThat(r.getServedLsn()).isEqualTo(lsn);
          compared++;
        } else {
          StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
              () -> client.get(TENANT, t, key, lsn));
          assertThat(PageClient.Failure.of(e)).isEqualTo(new PageClient.Failure(Status.Code.NOT_FOUND,
              "PAGE_NOT_FOUND"));
        }
      }
    }
    return compared;
  }

  private static void rejectsBadRequests(PageServer server, JwtAuthenticator tokens, String token, TimelineId t,
      long flushed) throws Exception {
    PageKey key = new PageKey(1, 1, Fork.MAIN, 0);
    try (PageClient client = new PageClient(server.grpcPort(), token);
        PageClient other = new PageClient(server.grpcPort(), tokens.issue("x", "other", Duration.ofHours(1)));
        PageClient admin = new PageClient(server.grpcPort(), tokens.issue("ops", null, Duration.ofHours(1)));
        PageClient anonymous = new PageClient(server.grpcPort(), null);
        PageClient forged = new PageClient(server.grpcPort(), new JwtAuthenticator("another-secret-that-is-long-enough-xx")
            .issue("x", TENANT, Duration.ofHours(1)))) {
      GetPageRequest good = PageClient.request(TENANT, t, key, flushed);
      assertThat(failure(() -> other.stub.getPage(good))).isEqualTo(new PageClient.Failure(Status.Code.PERMISSION_DENIED, "WRONG_TENANT"));
      assertThat(failure(() -> anonymous.stub.getPage(good)).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(failure(() -> forged.stub.getPage(good)).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
      PageClient.Failure invalid = new PageClient.Failure(Status.Code.INVALID_ARGUMENT, "BAD_REQUEST");
      assertThat(failure(() -> client.stub.getPage(good.toBuilder().setKey(good.getKey().toBuilder().setBlock(-1)).build())))
          .isEqualTo(invalid);
      assertThat(failure(() -> client.stub.getPage(good.toBuilder().setKey(good.getKey().toBuilder().setFork("heap")).build())))
          .isEqualTo(invalid);
      assertThat(failure(() -> client.stub.getPage(good.toBuilder().setRequestLsn(0).build()))).isEqualTo(invalid);
      assertThat(failure(() -> client.stub.getPage(good.toBuilder().setTimeline("not-a-timeline").build()))).isEqualTo(invalid);
      assertThat(failure(() -> client.stub.getPage(good.toBuilder().setTenant("Bad Tenant!").build()))).isEqualTo(invalid);
      assertThat(failure(() -> client.stub.getPage(good.toBuilder().clearKey().build()))).isEqualTo(invalid);
      assertThat(failure(() -> client.stub.getPage(good.toBuilder().setTimeline(TimelineId.generate().toString()).build())))
          .isEqualTo(new PageClient.Failure(Status.Code.NOT_FOUND, "TIMELINE_NOT_FOUND"));
      assertThat(failure(() -> client.stub.withDeadlineAfter(30, TimeUnit.SECONDS)
          .getPage(good.toBuilder().setNotModifiedSince(flushed + 1_000_000).build())))
          .isEqualTo(new PageClient.Failure(Status.Code.DEADLINE_EXCEEDED, "LSN_NOT_ARRIVED"));
      // An admin may read any tenant; the batched form answers per key.
      Iterator<GetPageResponse> batch = admin.stub.getPages(GetPagesRequest.newBuilder().setTenant(TENANT)
          .setTimeline(t.toString()).setRequestLsn(flushed).addKeys(good.getKey())
          .addKeys(good.getKey().toBuilder().setBlock(-5)).build());
      List<GetPageResponse> answers = new ArrayList<>();
      batch.forEachRemaining(answers::add);
      assertThat(answers).hasSize(2);
      assertThat(answers.get(1).getStatusCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    }
  }

  /** The generator's commits carry a time derived from their LSN: each must map back to its own LSN. */
  private static void answersTimeToLsn(PageClient client, WalWorkload workload, TimelineId t) {
    int checked = 0;
    for (WalRecord r : workload.committed(t)) {
      if (r.getBody() instanceof ClogSetStatus status && status.getStatus() == XactStatus.COMMITTED) {
        GetLsnByTimestampResponse answer = client.stub.getLsnByTimestamp(GetLsnByTimestampRequest.newBuilder()
            .setTenant(TENANT).setTimeline(t.toString()).setTimeMicros(status.getTimeMicros()).build());
        assertThat(answer.getKind()).isEqualTo(GetLsnByTimestampResponse.Kind.PRESENT);
        assertThat(answer.getLsn()).isEqualTo(r.getLsn());
        checked++;
      }
    }
    assertThat(checked).isPositive();
    GetLsnByTimestampRequest.Builder at = GetLsnByTimestampRequest.newBuilder().setTenant(TENANT)
        .setTimeline(t.toString());
    assertThat(client.stub.getLsnByTimestamp(at.setTimeMicros(1).build()).getKind())
        .isEqualTo(GetLsnByTimestampResponse.Kind.PAST);
    assertThat(client.stub.getLsnByTimestamp(at.setTimeMicros(Long.MAX_VALUE).build()).getKind())
        .isEqualTo(GetLsnByTimestampResponse.Kind.FUTURE);
  }

  private static PageClient.Failure failure(Runnable call) {
    return PageClient.Failure.of(catchThrowableOfType(StatusRuntimeException.class, call::run));
  }
}
