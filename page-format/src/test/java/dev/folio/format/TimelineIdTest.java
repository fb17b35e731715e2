package dev.folio.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TimelineIdTest {
  @Property
  void hexAndBytesRoundTrip(@ForAll long high, @ForAll long low) {
    TimelineId id = new TimelineId(high, low);
    assertThat(id.toString()).hasSize(32).matches("[0-9a-f]{32}");
    assertThat(TimelineId.parse(id.toString())).isEqualTo(id);
    assertThat(TimelineId.fromBytes(id.toBytes())).isEqualTo(id);
    assertThat(TimelineId.fromAvro(id.toAvro())).isEqualTo(id);
  }

  @Test
  void refusesMalformedIds() {
    assertThatThrownBy(() -> TimelineId.parse("abc")).hasMessageContaining("expected 32 hex digits");
    assertThatThrownBy(() -> TimelineId.parse("z".repeat(32))).hasMessageContaining("expected 32 hex digits");
    assertThat(TimelineId.generate()).isNotEqualTo(TimelineId.generate());
  }
}
