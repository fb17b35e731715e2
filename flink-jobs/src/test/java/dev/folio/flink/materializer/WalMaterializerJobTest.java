package dev.folio.flink.materializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The job's durations, as an operator types them. */
class WalMaterializerJobTest {
  @Test
  void durationsReadAsOperatorsWriteThem() {
    assertThat(WalMaterializerJob.duration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(WalMaterializerJob.duration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(WalMaterializerJob.duration("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(WalMaterializerJob.duration("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(WalMaterializerJob.duration("0")).isZero();
    assertThatThrownBy(() -> WalMaterializerJob.duration("a week")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a duration");
  }
}
