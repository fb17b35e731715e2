package dev.folio.pageservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Settings: defaults, and every bad value refused with the key it came from. */
class PageServiceConfigTest {
  private static Properties minimal() {
    Properties p = new Properties();
    p.setProperty("kafka.bootstrap-servers", "k:9092");
    p.setProperty("storage.root", "s3a://b/");
    p.setProperty("auth.jwt-secret", "x".repeat(32));
    return p;
  }

  @Test
  void defaultsAndPrefixes() {
    Properties p = minimal();
    p.setProperty("s3a.fs.s3a.endpoint", "http://s3:9000");
    p.setProperty("kafka.security.protocol", "SSL");
    p.setProperty("wait.max", "250ms");
    PageServiceConfig c = PageServiceConfig.from(p);
    assertThat(c.grpcPort()).isEqualTo(6400);
    assertThat(c.maxWait()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.indexPollInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.s3aProperties()).containsEntry("fs.s3a.endpoint", "http://s3:9000");
    assertThat(c.kafkaProperties()).containsOnlyKeys("security.protocol");
  }

  @Test
  void badSettingsNameTheirKey() {
    Properties missing = minimal();
    missing.remove("storage.root");
    assertThatThrownBy(() -> PageServiceConfig.from(missing)).hasMessageContaining("storage.root");
    for (String[] bad : new String[][] {{"grpc.port", "many"}, {"wait.max", "soon"}, {"cache.page-bytes", "-1"},
        {"tls.cert", "/only/the/cert.pem"}}) {
      Properties p = minimal();
      p.setProperty(bad[0], bad[1]);
      assertThatThrownBy(() -> PageServiceConfig.from(p)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad[0]);
    }
  }
}
