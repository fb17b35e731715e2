package dev.folio.pageservice;

import dev.folio.wal.topic.WalTopicConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Everything the page service is told, from a properties file ({@code folio page-service
 * --config FILE}); keys and defaults:
 *
 * <pre>
 *   grpc.host=0.0.0.0                grpc.port=6400        (0: any free port)
 *   http.host=0.0.0.0                http.port=9898        health and /metrics
 *   kafka.bootstrap-servers=          (required)           kafka.* : further client settings
 *   wal.topic-prefix=folio.           wal.partitions=4
 *   storage.root=                     (required) e.g. s3a://bucket/
 *   s3a.*                             Hadoop S3A settings, e.g. s3a.fs.s3a.endpoint=http://…
 *   auth.jwt-secret=                  (required, 32+ bytes) HS256 secret shared with token issuers
 *   tls.cert= tls.key=                PEM files; both or neither
 *   cache.dir=                        layer chunk cache (default: a temp folder)
 *   cache.layer-bytes=2147483648      cache.page-bytes=268435456
 *   tail.max-bytes=536870912          wait.max=10s          index.poll-interval=1s
 * </pre>
 */
public record PageServiceConfig(String grpcHost, int grpcPort, String httpHost, int httpPort, String bootstrapServers,
    Map<String, String> kafkaProperties, WalTopicConfig topic, String storageRoot, Map<String, String> s3aProperties,
    String jwtSecret, Path tlsCert, Path tlsKey, Path cacheDirectory, long layerCacheBytes, long pageCacheBytes,
    long tailMaxBytes, Duration maxWait, Duration indexPollInterval) {

  /** A setting that is missing or wrong, named by its key. */
  public static final class ConfigException extends IllegalArgumentException {
    ConfigException(String key, String problem) {
      super("page service setting " + key + ": " + problem);
    }
  }

  /**
   * Settings for a page service on this machine (loopback, any free ports), to adjust and pass to
   * {@link #from}: for tests, benchmarks and local mode.
   */
  public static Properties localProperties(String bootstrapServers, WalTopicConfig topic, String storageRoot,
      Map<String, String> s3a, String jwtSecret) {
    Properties p = new Properties();
    p.setProperty("grpc.host", "127.0.0.1");
    p.setProperty("grpc.port", "0");
    p.setProperty("http.host", "127.0.0.1");
    p.setProperty("http.port", "0");
    p.setProperty("kafka.bootstrap-servers", bootstrapServers);
    p.setProperty("wal.topic-prefix", topic.prefix());
    p.setProperty("wal.partitions", String.valueOf(topic.partitions()));
    p.setProperty("storage.root", storageRoot);
    s3a.forEach((k, v) -> p.setProperty("s3a." + k, v));
    p.setProperty("auth.jwt-secret", jwtSecret);
    return p;
  }

  public static PageServiceConfig from(Properties p) {
    Map<String, String> kafka = new HashMap<>();
    Map<String, String> s3a = new HashMap<>();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith("kafka.") && !name.equals("kafka.bootstrap-servers")) {
        kafka.put(name.substring("kafka.".length()), p.getProperty(name));
      } else if (name.startsWith("s3a.")) {
        s3a.put(name.substring("s3a.".length()), p.getProperty(name));
      }
    }
    String cert = p.getProperty("tls.cert");
    String key = p.getProperty("tls.key");
    if ((cert == null) != (key == null)) {
      throw new ConfigException("tls.cert/tls.key", "give both or neither");
    }
    String cacheDir = p.getProperty("cache.dir");
    WalTopicConfig topic = WalTopicConfig.singleBroker(p.getProperty("wal.topic-prefix", WalTopicConfig.DEFAULT_PREFIX))
        .withPartitions(integer(p, "wal.partitions", 4));
    return new PageServiceConfig(p.getProperty("grpc.host", "0.0.0.0"), integer(p, "grpc.port", 6400),
        p.getProperty("http.host", "0.0.0.0"), integer(p, "http.port", 9898), required(p, "kafka.bootstrap-servers"),
        kafka, topic, required(p, "storage.root"), s3a, required(p, "auth.jwt-secret"),
        cert == null ? null : Path.of(cert), key == null ? null : Path.of(key),
        cacheDir == null ? null : Path.of(cacheDir), bytes(p, "cache.layer-bytes", 2L << 30),
        bytes(p, "cache.page-bytes", 256L << 20), bytes(p, "tail.max-bytes", 512L << 20),
        duration(p, "wait.max", "10s"), duration(p, "index.poll-interval", "1s"));
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new ConfigException(key, "is required");
    }
    return v.trim();
  }

  private static int integer(Properties p, String key, int fallback) {
    String v = p.getProperty(key);
    try {
      int n = v == null ? fallback : Integer.parseInt(v.trim());
      if (n < 0) {
        throw new ConfigException(key, "must not be negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "\"" + v + "\" is not a number");
    }
  }

  private static long bytes(Properties p, String key, long fallback) {
    String v = p.getProperty(key);
    try {
      long n = v == null ? fallback : Long.parseLong(v.trim());
      if (n <= 0) {
        throw new ConfigException(key, "must be positive");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "\"" + v + "\" is not a number of bytes");
    }
  }

  private static Duration duration(Properties p, String key, String fallback) {
    String v = p.getProperty(key, fallback).trim();
    try {
      Duration d = v.endsWith("ms") ? Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()))
          : Duration.parse("PT" + v.toUpperCase());
      if (d.isNegative() || d.isZero()) {
        throw new ConfigException(key, "must be positive");
      }
      return d;
    } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
      throw new ConfigException(key, "\"" + v + "\" is not a duration such as 500ms, 10s or 1m");
    }
  }
}
