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
public record Fixture(String bootstrapServers, WalTopicConfig topic, TimelineId timeline, PageServer pageServer,
    String token) implements AutoCloseable {
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
    return new Fixture(kafka.bootstrapServers(), topic, timeline, pageServer,
        new JwtAuthenticator(SECRET).issue("compute", TENANT, Duration.ofHours(1)));
  }

  /** A compute on the timeline that lets any user in (trust), with a buffer cache of this many bytes. */
  public ComputeNode compute(long bufferBytes) throws Exception {
    return ComputeNode.start(new ComputeNode.Config(dev.folio.wal.writer.WalWriterConfig.of(bootstrapServers, topic),
        "127.0.0.1", pageServer.grpcPort(), TENANT, timeline, token, bufferBytes,
        new dev.folio.compute.pgwire.PgServer.Config("127.0.0.1", 0, true, java.util.Map.of())));
  }

  /**
   * A PKCS#12 key store in {@code dir} with a fresh EC key and a self-signed certificate for
   * 127.0.0.1, password {@code changeit}, made by the JDK's keytool.
   */
  public static java.nio.file.Path keyStore(java.nio.file.Path dir) throws IOException, InterruptedException {
    java.nio.file.Path store = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString(), "-genkeypair", "-alias", "folio", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
        "CN=127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass",
        "changeit").redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (keytool.waitFor() != 0) {
      throw new IOException("keytool failed: " + out);
    }
    return store;
  }

  /** The rows of a result, each as its values (text form) joined by {@code |}. */
  public static java.util.List<String> rows(java.sql.ResultSet rs) throws java.sql.SQLException {
    java.util.List<String> out = new java.util.ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        row.append(i > 1 ? "|" : "").append(rs.getString(i));
      }
      out.add(row.toString());
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    pageServer.close();
  }
}
