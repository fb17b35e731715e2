package dev.folio.pageservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layout.StorageLayout;
import dev.folio.format.page.Page;
import dev.folio.format.redo.Redo;
import dev.folio.format.wal.WalRecords;
import dev.folio.pageservice.auth.JwtAuthenticator;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import dev.folio.schemas.wal.HeapPageInit;
import dev.folio.schemas.wal.WalRecord;
import dev.folio.testsupport.EmbeddedS3;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.RealInfra;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object store goes away while the page service runs: reads that need it fail with
 * UNAVAILABLE and the cause (after S3A's retries), and full service returns with it. A read below
 * what garbage collection retained (the index's retainedFromLsn) is refused, not answered wrong.
 */
@RealInfra
class ObjectStoreOutageTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @Test
  void anOutageIsUnavailableThenHeals(KafkaEndpoint kafka, @TempDir Path scratch) throws Exception {
    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, topic);
    }
    try (EmbeddedS3 s3 = EmbeddedS3.start(null, "outage", "outage-secret")) {
      s3.createBucket("outage");
      S3Endpoint endpoint = new S3Endpoint(s3.endpoint(), EmbeddedS3.REGION, s3.accessKey(), s3.secretKey(), "outage", "");
      TimelineId timeline = TimelineId.generate();
      PageKey key = new PageKey(1, 16384, Fork.MAIN, 0);
      List<WalRecord> records = List.of(WalRecords.of(timeline, 0x100, 1, key, new HeapPageInit()),
          WalRecords.of(timeline, 0x200, 1, key, new HeapInsert(1, 0, ByteBuffer.wrap(new byte[] {1, 2, 3}))));
      StorageLayout layout = new StorageLayout(endpoint.s3aRoot(), "acme");
      try (ObjectStore store = new ObjectStore(endpoint.s3aRoot(), endpoint.s3aProperties())) {
        Path file = scratch.resolve("delta");
        LayerDescriptor d;
        try (DeltaLayer.Writer w = new DeltaLayer.Writer(file, timeline, 0x100, 0x201, "outage0")) {
          for (WalRecord r : records) {
            w.add(r);
          }
          d = w.finish();
        }
        store.write(layout.layer(timeline, d.name()), Files.readAllBytes(file));
        store.write(layout.index(timeline, 1), new TimelineIndex(timeline, 1, null, 0, 0x180, 0x200, 1, "test", List.of(),
            List.of(d), List.of(), Instant.now()).toJson());
      }
      Page expected = Redo.applyAll(null, records);

      Properties p = PageServiceConfig.localProperties(kafka.bootstrapServers(), topic, endpoint.s3aRoot(),
          endpoint.s3aProperties(), SECRET);
      String token = new JwtAuthenticator(SECRET).issue("test", "acme", Duration.ofHours(1));
      try (PageServer server = PageServer.start(PageServiceConfig.from(p));
          PageClient client = new PageClient(server.grpcPort(), token)) {
        s3.stop();
        StatusRuntimeException down = catchThrowableOfType(StatusRuntimeException.class,
            () -> client.get("acme", timeline, key, 0x200));
        assertThat(PageClient.Failure.of(down)).isEqualTo(new PageClient.Failure(Status.Code.UNAVAILABLE,
            "STORAGE_UNAVAILABLE"));
        assertThat(down.getStatus().getDescription()).contains("could not list");

        s3.restart();
        Awaitility.await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
            .until(() -> Page.of(client.get("acme", timeline, key, 0x200).getPage().toByteArray()).equals(expected));
        StatusRuntimeException collected = catchThrowableOfType(StatusRuntimeException.class,
            () -> client.get("acme", timeline, key, 0x100));
        assertThat(PageClient.Failure.of(collected)).isEqualTo(new PageClient.Failure(Status.Code.OUT_OF_RANGE,
            "LSN_NOT_RETAINED"));
      }
    }
  }
}
