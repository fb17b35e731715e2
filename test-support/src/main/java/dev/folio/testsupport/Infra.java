package dev.folio.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Kafka broker and S3 endpoint that tests of one JVM share, each started on first use and
 * stopped at the end. Which kind is chosen by {@code FOLIO_INFRA} (environment or system
 * property): {@code embedded} (in this JVM: KRaft broker and S3Proxy), {@code docker}
 * (Testcontainers: Kafka and MinIO), or {@code auto}, the default, which takes Docker when an
 * engine answers and the embedded parts otherwise.
 */
public final class Infra implements AutoCloseable {
  public static final String ACCESS_KEY = "folio-test";
  public static final String SECRET_KEY = "folio-test-secret";
  public static final String BUCKET = "folio-test";
  static final String KAFKA_IMAGE = "apache/kafka:4.2.0";
  static final String MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";
  private static final Logger LOG = LoggerFactory.getLogger(Infra.class);

  private final boolean docker;
  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private String kafkaBootstrapServers;
  private URI s3Endpoint;

  Infra(boolean docker) {
    this.docker = docker;
  }

  static Infra choose() {
    String mode = System.getProperty("FOLIO_INFRA", System.getenv().getOrDefault("FOLIO_INFRA", "auto"));
    boolean docker = switch (mode) {
      case "embedded" -> false;
      case "docker" -> true;
      case "auto" -> dockerAnswers();
      default -> throw new IllegalArgumentException("FOLIO_INFRA is embedded, docker or auto, not \"" + mode + "\"");
    };
    LOG.info("Tests use {} Kafka and S3", docker ? "containerized" : "embedded");
    return new Infra(docker);
  }

  private static boolean dockerAnswers() {
    boolean socket = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
    return socket && DockerClientFactory.instance().isDockerAvailable();
  }

  public synchronized String kafkaBootstrapServers() {
    if (kafkaBootstrapServers == null) {
      if (docker) {
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
        running.push(container::stop);
        container.start();
        kafkaBootstrapServers = container.getBootstrapServers();
      } else {
        EmbeddedKafka broker = EmbeddedKafka.start();
        running.push(broker);
        kafkaBootstrapServers = broker.bootstrapServers();
      }
    }
    return kafkaBootstrapServers;
  }

  public synchronized URI s3Endpoint() {
    if (s3Endpoint == null) {
      if (docker) {
        MinIOContainer container = new MinIOContainer(MINIO_IMAGE).withUserName(ACCESS_KEY).withPassword(SECRET_KEY);
        running.push(container::stop);
        container.start();
        URI endpoint = URI.create(container.getS3URL());
        try (S3Client client = new S3Endpoint(endpoint, EmbeddedS3.REGION, ACCESS_KEY, SECRET_KEY, BUCKET, "").client()) {
          client.createBucket(b -> b.bucket(BUCKET));
        }
        s3Endpoint = endpoint;
      } else {
        EmbeddedS3 server = EmbeddedS3.start(null, ACCESS_KEY, SECRET_KEY);
        running.push(server);
        server.createBucket(BUCKET);
        s3Endpoint = server.endpoint();
      }
    }
    return s3Endpoint;
  }

  /** Stops everything started, newest first. */
  @Override
  public synchronized void close() {
    RuntimeException failure = null;
    while (!running.isEmpty()) {
      try {
        running.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("stopping the test infrastructure failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
