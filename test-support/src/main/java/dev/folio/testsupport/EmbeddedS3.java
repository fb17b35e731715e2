package dev.folio.testsupport;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 endpoint in this JVM: S3Proxy, speaking the S3 REST API with AWS signatures, keeping
 * objects in a folder (or in memory). It can be stopped and started again on the same port, so
 * that tests can take S3 away for a while.
 */
public final class EmbeddedS3 implements AutoCloseable {
  public static final String REGION = "us-east-1";

  private final BlobStore store;
  private final String accessKey;
  private final String secretKey;
  private S3Proxy proxy;
  private int port;

  private EmbeddedS3(BlobStore store, String accessKey, String secretKey) {
    this.store = store;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /** Starts on a free port, keeping objects under {@code dataDir}, or in memory when it is null. */
  public static EmbeddedS3 start(Path dataDir, String accessKey, String secretKey) {
    BlobStore store;
    if (dataDir == null) {
      store = new TransientNio2BlobStore();
    } else {
      try {
        Files.createDirectories(dataDir);
      } catch (IOException e) {
        throw new IllegalStateException("cannot create the S3 data folder " + dataDir + ": " + e, e);
      }
      store = new FilesystemNio2BlobStore(dataDir.toAbsolutePath().toString());
    }
    EmbeddedS3 s3 = new EmbeddedS3(store, accessKey, secretKey);
    s3.startOn(0);
    return s3;
  }

  private void startOn(int requestedPort) {
    S3Proxy p = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:" + requestedPort))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
        .build();
    try {
      p.start();
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (!"STARTED".equals(p.getState())) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("state " + p.getState() + " after 30 s");
        }
        Thread.sleep(5);
      }
    } catch (Exception e) {
      try {
        p.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException("S3Proxy did not start on port " + requestedPort + ": " + e, e);
    }
    proxy = p;
    port = p.getPort();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  public synchronized boolean isRunning() {
    return proxy != null;
  }

  public void createBucket(String bucket) {
    if (!store.containerExists(bucket)) {
      store.createContainer(bucket);
    }
    if (!store.containerExists(bucket)) {
      throw new IllegalArgumentException("S3Proxy did not create the bucket \"" + bucket
          + "\" (a bucket name has 3 to 63 lowercase letters, digits, dots and hyphens)");
    }
  }

  /** Takes the endpoint away; objects stay. */
  public synchronized void stop() {
    if (proxy != null) {
      try {
        proxy.stop();
      } catch (Exception e) {
        throw new IllegalStateException("S3Proxy did not stop: " + e, e);
      } finally {
        proxy = null;
      }
    }
  }

  /** Brings the endpoint back on the same port, with the same objects. */
  public synchronized void restart() {
    if (proxy == null) {
      startOn(port);
    }
  }

  @Override
  public synchronized void close() {
    stop();
    store.close();
  }
}
