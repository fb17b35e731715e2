package dev.folio.wal.reader;

import dev.folio.format.PageKey;
import dev.folio.format.wal.WalCodec;
import dev.folio.format.wal.WalDecodeException;
import java.util.Arrays;

/**
 * Turns a (key, value) read from the WAL topic into a {@link WalMessage}. Never throws for bad
 * bytes: what cannot be decoded, or decodes to a record whose page is not the Kafka key (it would
 * sit in the wrong partition, out of its page's order), becomes {@link WalMessage.Garbage} with a
 * reason code. Stateless and thread-safe, so a Flink source can use it as its deserializer.
 */
public final class WalMessageDecoder {
  /** The reason code of a record whose Kafka key is not its page key. */
  public static final String KEY_MISMATCH = "WAL_KEY_MISMATCH";

  public WalMessage decode(int partition, long offset, byte[] key, byte[] value) {
    try {
      WalCodec.Decoded decoded = WalCodec.get().decode(value);
      if (!decoded.isRecord()) {
        return new WalMessage.Marker(partition, offset, decoded.marker());
      }
      byte[] pageKey = PageKey.of(decoded.record().getPage()).encode();
      if (!Arrays.equals(pageKey, key)) {
        return new WalMessage.Garbage(partition, offset, key, value, KEY_MISMATCH,
            "the Kafka key is not the record's page key " + PageKey.of(decoded.record().getPage()));
      }
      return new WalMessage.Record(partition, offset, decoded.record(), value.length);
    } catch (WalDecodeException e) {
      return new WalMessage.Garbage(partition, offset, key, value, e.code(), e.getMessage());
    }
  }
}
