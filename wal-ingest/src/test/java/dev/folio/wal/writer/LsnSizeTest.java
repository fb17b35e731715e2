package dev.folio.wal.writer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.format.PageKey;
import dev.folio.format.TimelineId;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalRecords;
import dev.folio.schemas.wal.Fork;
import dev.folio.schemas.wal.HeapInsert;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.io.BinaryData;

/** The LSN arithmetic of the writer: a record's size is its encoding with the previous LSN in place. */
class LsnSizeTest {
  @Property
  void varintLengthIsAvros(@ForAll long value) {
    assertThat(WalWriter.varintLength(value)).isEqualTo(BinaryData.encodeLong(value, new byte[10], 0));
  }

  @Property
  void sizeFromAPlaceholderEncodingEqualsTheEncodingWithThePreviousLsn(@ForAll long previous,
      @ForAll @IntRange(max = 500) int dataBytes) {
    PageKey key = new PageKey(1, 16384, Fork.MAIN, 3);
    HeapInsert body = new HeapInsert(1, 0, ByteBuffer.wrap(new byte[dataBytes]));
    TimelineId timeline = new TimelineId(5, 6);
    int withPlaceholder = WalCodec.get().encode(WalRecords.of(timeline, 0, 9, key, body)).length;
    int withPrevious = WalCodec.get().encode(WalRecords.of(timeline, previous, 9, key, body)).length;
    assertThat(withPlaceholder - 1 + WalWriter.varintLength(previous)).isEqualTo(withPrevious);
  }
}
