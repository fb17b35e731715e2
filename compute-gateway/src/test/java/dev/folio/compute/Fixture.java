package dev.folio.compute;

import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layout.StorageLayout;
import dev.folio.pageservice.PageServer;
import dev.folio.pageservice.PageServiceConfig;
import dev.folio.pageservice.auth.JwtAuthenticator;
import dev.folio.pageservice.storage.ObjectStore;
import dev.folio.testsupport.KafkaEndpoint;
import dev.folio.testsupport.S3Endpoint;
import dev.folio.wal.topic.WalTopic;
import dev.folio.wal.topic.WalTopicConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.admin.Admin;

/**
 * What the compute's tests start from: a WAL topic, a new timeline of tenant {@code acme} (its
 * first index written), a page service over the broker and S3, and a token for it.
 */
public record Fixture(WalTopicConfig topic, TimelineId timeline, PageServer pageServer, String token)
    implements AutoCloseable {
  public static final String TENANT = "acme";
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  public static Fixture start(KafkaEndpoint kafka, S3Endpoint s3) throws IOException {
    WalTopicConfig topic = WalTopicConfig.singleBroker(kafka.topicPrefix());
    try (Admin admin = kafka.admin()) {
      WalTopic.ensure(admin, topic);
    }
    TimelineId timeline = TimelineId.generate();
    try (ObjectStore store = new ObjectStore(s3.s3aRoot(), s3.s3aProperties())) {
      store.write(new StorageLayout(s3.s3aRoot(), TENANT).index(timeline, 1),
          TimelineIndex.created(timeline, null, Instant.now()).toJson());
    }
    PageServer pageServer = PageServer.start(PageServiceConfig.from(PageServiceConfig.localProperties(
        kafka.bootstrapServers(), topic, s3.s3aRoot(), s3.s3aProperties(), SECRET)));
    return new Fixture(topic, timeline, pageServer,
        new JwtAuthenticator(SECRET).issue("compute", TENANT, Duration.ofHours(1)));
  }

  @Override
  public void close() throws Exception {
    pageServer.close();
  }
}
