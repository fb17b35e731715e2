package dev.folio.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.schemas.wal.Fork;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PageKeyTest {
  @Provide
  static Arbitrary<PageKey> keys() {
    Arbitrary<Integer> small = Arbitraries.integers().between(0, 3);
    Arbitrary<Integer> any = Arbitraries.integers().between(0, Integer.MAX_VALUE);
    return Combinators.combine(Arbitraries.oneOf(small, any), Arbitraries.oneOf(small, any),
            Arbitraries.of(Fork.class), Arbitraries.oneOf(small, any))
        .as(PageKey::new);
  }

  @Property
  void encodingRoundTrips(@ForAll("keys") PageKey key) {
    assertThat(key.encode()).hasSize(PageKey.ENCODED_SIZE);
    assertThat(PageKey.decode(key.encode())).isEqualTo(key);
    assertThat(PageKey.parse(key.toString())).isEqualTo(key);
  }

  @Property
  void encodingSortsLikeTheKeys(@ForAll("keys") PageKey a, @ForAll("keys") PageKey b) {
    assertThat(Integer.signum(Arrays.compareUnsigned(a.encode(), b.encode())))
        .isEqualTo(Integer.signum(a.compareTo(b)));
  }

  @Test
  void printsReadably() {
    assertThat(new PageKey(1, 16384, Fork.MAIN, 7).toString()).isEqualTo("1/16384/main/7");
  }

  @Test
  void refusesImpossibleKeys() {
    assertThatThrownBy(() -> new PageKey(1, 2, Fork.MAIN, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("block -1");
    assertThatThrownBy(() -> PageKey.decode(new byte[12])).isInstanceOf(IllegalArgumentException.class);
    byte[] badFork = new PageKey(1, 2, Fork.MAIN, 3).encode();
    badFork[8] = 9;
    assertThatThrownBy(() -> PageKey.decode(badFork)).hasMessageContaining("unknown fork 9");
    assertThatThrownBy(() -> PageKey.parse("1/2/heap/3")).hasMessageContaining("unknown fork");
    assertThatThrownBy(() -> PageKey.parse("1/2/main")).hasMessageContaining("expected database/relation/fork/block");
    assertThatThrownBy(() -> PageKey.parse("1/x/main/3")).isInstanceOf(IllegalArgumentException.class);
  }
}
