package dev.folio.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The embedded S3 endpoint does what Folio relies on, through Hadoop S3A and the AWS SDK. */
@RealInfra
class S3RoundTripTest {

  @Test
  void s3aWritesListsAndReadsBack(S3Endpoint s3) throws IOException {
    Configuration conf = new Configuration();
    for (Map.Entry<String, String> e : s3.s3aProperties().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    conf.setBoolean("fs.s3a.impl.disable.cache", true);
    byte[] layer = new byte[300_000];
    Arrays.fill(layer, (byte) 7);
    layer[12345] = 42;
    try (FileSystem fs = FileSystem.get(URI.create(s3.s3aRoot()), conf)) {
      Path dir = new Path(s3.s3aRoot() + "timelines/t1/layers");
      try (FSDataOutputStream out = fs.create(new Path(dir, "a.delta"))) {
        out.write(layer);
      }
      try (FSDataOutputStream out = fs.create(new Path(dir, "b.image"))) {
        out.write("image".getBytes(StandardCharsets.UTF_8));
      }

      FileStatus[] listed = fs.listStatus(dir);
      assertThat(listed).extracting(f -> f.getPath().getName()).containsExactlyInAnyOrder("a.delta", "b.image");
      assertThat(fs.getFileStatus(new Path(dir, "a.delta")).getLen()).isEqualTo(layer.length);

      byte[] back = new byte[layer.length];
      try (FSDataInputStream in = fs.open(new Path(dir, "a.delta"))) {
        in.readFully(back);
        byte[] ranged = new byte[3];
        in.readFully(12344, ranged);
        assertThat(ranged).containsExactly(7, 42, 7);
      }
      assertThat(back).isEqualTo(layer);
    }
  }

  @Test
  void theSdkSeesTheSameObjectsAndTheEndpointSurvivesARestart(S3Endpoint s3) {
    try (EmbeddedS3 own = EmbeddedS3.start(null, "k", "s")) {
      own.createBucket("own-bucket");
      S3Endpoint endpoint = new S3Endpoint(own.endpoint(), EmbeddedS3.REGION, "k", "s", "own-bucket", "p/");
      try (S3Client client = endpoint.client()) {
        client.putObject(b -> b.bucket("own-bucket").key("p/x"), RequestBody.fromString("hello"));
        own.stop();
        assertThat(own.isRunning()).isFalse();
        own.restart();
        assertThat(client.getObjectAsBytes(b -> b.bucket("own-bucket").key("p/x")).asUtf8String()).isEqualTo("hello");
      }
    }
    try (S3Client shared = s3.client()) {
      shared.putObject(b -> b.bucket(s3.bucket()).key(s3.keyPrefix() + "k"), RequestBody.fromString("v"));
      assertThat(shared.listObjectsV2(b -> b.bucket(s3.bucket()).prefix(s3.keyPrefix())).contents())
          .extracting(o -> o.key()).containsExactly(s3.keyPrefix() + "k");
    }
  }
}
