package dev.folio.testsupport;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 endpoint as a test sees it: where it is, its credentials, a bucket, and a key prefix
 * no other test uses.
 */
public record S3Endpoint(URI endpoint, String region, String accessKey, String secretKey, String bucket,
    String keyPrefix) {

  /** {@code s3a://bucket/keyPrefix} with a trailing slash: the root of this test's objects. */
  public String s3aRoot() {
    return "s3a://" + bucket + "/" + keyPrefix;
  }

  /** The Hadoop S3A settings that reach this endpoint (path-style, plain HTTP, static keys). */
  public Map<String, String> s3aProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("fs.s3a.endpoint", endpoint.toString());
    p.put("fs.s3a.endpoint.region", region);
    p.put("fs.s3a.path.style.access", "true");
    p.put("fs.s3a.connection.ssl.enabled", "false");
    p.put("fs.s3a.access.key", accessKey);
    p.put("fs.s3a.secret.key", secretKey);
    p.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return p;
  }

  /** An AWS SDK v2 client for this endpoint; the caller closes it. */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .build();
  }
}
