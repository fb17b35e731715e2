package dev.folio.format.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.format.PageKey;
import dev.folio.schemas.wal.Fork;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LayerNameTest {
  @Property
  void namesRoundTrip(@ForAll @IntRange(min = 0) int rel, @ForAll @IntRange(min = 0) int block,
      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE - 10) long lsn, @ForAll @IntRange(min = 1, max = 1000) int span,
      @ForAll boolean image) {
    PageKey first = new PageKey(1, rel, Fork.MAIN, block);
    PageKey last = new PageKey(1, rel, Fork.META, 0);
    LayerName name = image ? LayerName.image(first, last, lsn, "c7s1a0") : LayerName.delta(first, last, lsn, lsn + span, "c7s1a0");
    assertThat(LayerName.parse(name.toString())).isEqualTo(name);
  }

  @Test
  void readsLikeWhatItHolds() {
    LayerName name = LayerName.delta(new PageKey(1, 16384, Fork.MAIN, 0), new PageKey(1, 16384, Fork.MAIN, 9),
        0x100, 0x200, "c42s0a0");
    assertThat(name.toString()).isEqualTo(
        "00000001000040000000000000-00000001000040000000000009__0000000000000100-0000000000000200.c42s0a0.delta");
  }

  @Test
  void refusesWhatIsNotALayerName() {
    assertThatThrownBy(() -> LayerName.parse("index.json")).hasMessageContaining("not a layer file name");
    PageKey k = new PageKey(1, 1, Fork.MAIN, 1);
    assertThatThrownBy(() -> LayerName.delta(k, k, 10, 10, "g")).hasMessageContaining("LSN range");
    assertThatThrownBy(() -> LayerName.delta(k, k, 10, 11, "G!")).hasMessageContaining("generation");
    assertThatThrownBy(() -> LayerName.delta(new PageKey(1, 2, Fork.MAIN, 1), k, 10, 11, "g"))
        .hasMessageContaining("after last key");
  }
}
