package dev.folio.format;

import dev.folio.schemas.wal.Id128;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A timeline: one line of WAL history. Branches and restores create new timelines; a timeline id
 * is 128 random bits, printed as 32 lowercase hex digits, as Neon prints its ids.
 */
public record TimelineId(long high, long low) implements Comparable<TimelineId>, java.io.Serializable {
  public static final int SIZE = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  public static TimelineId generate() {
    return new TimelineId(RANDOM.nextLong(), RANDOM.nextLong());
  }

  public static TimelineId parse(String hex) {
    if (hex == null || hex.length() != 32) {
      throw new IllegalArgumentException("invalid timeline id \"" + hex + "\": expected 32 hex digits");
    }
    try {
      return new TimelineId(HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid timeline id \"" + hex + "\": expected 32 hex digits", e);
    }
  }

  public static TimelineId fromBytes(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("a timeline id has 16 bytes, not " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new TimelineId(b.getLong(), b.getLong());
  }

  public static TimelineId fromAvro(Id128 id) {
    return fromBytes(id.bytes());
  }

  public byte[] toBytes() {
    return ByteBuffer.allocate(SIZE).putLong(high).putLong(low).array();
  }

  public Id128 toAvro() {
    return new Id128(toBytes());
  }

  @Override
  public int compareTo(TimelineId o) {
    int c = Long.compareUnsigned(high, o.high);
    return c != 0 ? c : Long.compareUnsigned(low, o.low);
  }

  @Override
  public String toString() {
    return HEX.toHexDigits(high) + HEX.toHexDigits(low);
  }
}
