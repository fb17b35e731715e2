package dev.folio.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class LsnTest {
  @Test
  void printsAndParsesAsPostgresDoes() {
    assertThat(Lsn.of(0x16B3748L).toString()).isEqualTo("0/16B3748");
    assertThat(Lsn.of(0x1_0000_0000L).toString()).isEqualTo("1/0");
    assertThat(Lsn.MAX.toString()).isEqualTo("FFFFFFFF/FFFFFFFF");
    assertThat(Lsn.parse("0/16B3748").value()).isEqualTo(0x16B3748L);
    assertThat(Lsn.parse("16/b374d848").value()).isEqualTo(0x16_B374D848L);
    assertThat(Lsn.parse("00000000/016B3748").value()).isEqualTo(0x16B3748L);
  }

  @Test
  void refusesWhatPostgresRefuses() {
    for (String bad : new String[] {"", "/", "0/", "/0", "0x0/1", "1/2/3", "123456789/0", "0/123456789", "-1/0",
        "+1/0", "g/0", " 0/1", "0/1 ", "٣/0"}) {
      assertThatThrownBy(() -> Lsn.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid LSN");
    }
  }

  @Property
  void parsePrintRoundTrip(@ForAll long value) {
    assertThat(Lsn.parse(Lsn.format(value)).value()).isEqualTo(value);
  }

  @Property
  void ordersUnsigned(@ForAll long a, @ForAll long b) {
    assertThat(Integer.signum(Lsn.of(a).compareTo(Lsn.of(b)))).isEqualTo(Integer.signum(Long.compareUnsigned(a, b)));
  }
}
