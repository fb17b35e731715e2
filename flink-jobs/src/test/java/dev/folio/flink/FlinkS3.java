package dev.folio.flink;

import dev.folio.flink.local.LocalFlink;
import dev.folio.testsupport.S3Endpoint;

/** The test's S3 endpoint, as a local Flink reaches it; checkpoints under the test's prefix. */
public final class FlinkS3 {
  private FlinkS3() {}

  public static LocalFlink.S3 of(S3Endpoint s3) {
    return new LocalFlink.S3(s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.s3aRoot() + "flink/checkpoints");
  }
}
