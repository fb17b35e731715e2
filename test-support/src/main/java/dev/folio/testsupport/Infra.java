package dev.folio.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;

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
  private Kafka kafka;
  private S3 s3;

  /** A running broker, and how to stop it. */
  interface Kafka extends AutoCloseable {
    String bootstrapServers();

    @Override
    void close();
  }

  /** A running S3 endpoint with the test bucket, and how to stop it. */
  interface S3 extends AutoCloseable {
    URI endpoint();

    @Override
    void close();
  }

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
    if (kafka == null) {
      kafka = docker ? containerKafka() : embeddedKafka();
    }
    return kafka.bootstrapServers();
  }

  public synchronized URI s3Endpoint() {
    if (s3 == null) {
      s3 = docker ? containerS3() : embeddedS3();
    }
    return s3.endpoint();
  }

  private static Kafka embeddedKafka() {
    EmbeddedKafka broker = EmbeddedKafka.start();
    return new Kafka() {
      public String bootstrapServers() {
        return broker.bootstrapServers();
      }

      public void close() {
        broker.close();
      }
    };
  }

  private static S3 embeddedS3() {
    EmbeddedS3 server = EmbeddedS3.start(null, ACCESS_KEY, SECRET_KEY);
    server.createBucket(BUCKET);
    return new S3() {
      public URI endpoint() {
        return server.endpoint();
      }

      public void close() {
        server.close();
      }
    };
  }

  private static Kafka containerKafka() {
    KafkaContainer container = started(() -> new KafkaContainer(KAFKA_IMAGE)
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1"));
    return new Kafka() {
      public String bootstrapServers() {
        return container.getBootstrapServers();
      }

      public void close() {
        container.stop();
      }
    };
  }

  private static S3 containerS3() {
    MinIOContainer container = started(() -> new MinIOContainer(MINIO_IMAGE)
        .withUserName(ACCESS_KEY).withPassword(SECRET_KEY));
    URI endpoint = URI.create(container.getS3URL());
    S3Endpoint admin = new S3Endpoint(endpoint, EmbeddedS3.REGION, ACCESS_KEY, SECRET_KEY, BUCKET, "");
    try (var client = admin.client()) {
      client.createBucket(b -> b.bucket(BUCKET));
    }
    return new S3() {
      public URI endpoint() {
        return endpoint;
      }

      public void close() {
        container.stop();
      }
    };
  }

  private static <C extends org.testcontainers.containers.GenericContainer<?>> C started(Supplier<C> make) {
    C container = make.get();
    container.start();
    return container;
  }

  @Override
  public synchronized void close() {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }
}
